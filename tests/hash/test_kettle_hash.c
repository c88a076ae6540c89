// SPDX-License-Identifier: MIT
/* kettle hash against coreutils: same lines, sha256sum -c, dirhash, errors, JSON. */
#include <fcntl.h>
#include <sys/stat.h>

#include <jansson.h>

#include "kettle_test.h"
#include "test_privs.h"

static char dir[256], kettle[512];

static int make_file(const char *name, size_t len)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (fputc((int)((i * 131 + len) & 0xff), f) == EOF)
			break;
	return fclose(f);
}

/* tree/: the regular edge cases; bad/: one of each problem. */
static int t_setup(void)
{
	test_tmpdir(dir, sizeof(dir), "kettle-hash");
	test_path(kettle, sizeof(kettle), "", "kettle");
	CHECK(test_sh("mkdir -p %s/tree/sub/deeper %s/tree/a %s/bad", dir, dir, dir) == 0, "mkdir");
	CHECK(make_file("tree/empty", 0) == 0 && make_file("tree/one", 1) == 0, "files");
	CHECK(make_file("tree/chunk", 65536) == 0 && make_file("tree/chunk+1", 65537) == 0, "files");
	CHECK(make_file("tree/sub/deeper/x", 300000) == 0 && make_file("tree/a.txt", 5) == 0, "files");
	CHECK(make_file("tree/a/b", 7) == 0 && make_file("tree/sp ace", 3) == 0, "files");
	CHECK(make_file("bad/ok", 9) == 0 && make_file("bad/we\\ird", 2) == 0, "files");
	CHECK(test_sh("cd %s/bad && mkfifo fifo && ln -s nowhere dangling && ln -s ok link", dir) == 0,
	      "specials");
	return TEST_PASS;
}

/* Same bytes as `find | LC_ALL=C sort | xargs sha256sum`, including escaping. */
static int t_tree_matches_sha256sum(void)
{
	CHECK(test_sh("cd %s && %s hash --no-progress tree bad/ok 'bad/we\\ird' > out 2>err", dir,
		 kettle) == 0, "kettle hash failed: %s/err", dir);
	CHECK(test_sh("cd %s && { find tree -type f | LC_ALL=C sort | xargs -d '\\n' sha256sum;"
		 " sha256sum bad/ok 'bad/we\\ird'; } > want", dir) == 0, "sha256sum");
	CHECK(test_sh("cd %s && cmp -s out want", dir) == 0,
	      "differs: diff %s/out %s/want", dir, dir);
	CHECK(test_sh("cd %s && grep -q '^\\\\' out", dir) == 0, "escaped line present");
	return TEST_PASS;
}

static int t_sha256sum_c_accepts_output(void)
{
	CHECK(test_sh("cd %s && %s hash --no-progress tree bad > check 2>/dev/null; "
		 "sha256sum -c --quiet check", dir, kettle) == 0, "sha256sum -c refused %s/check", dir);
	return TEST_PASS;
}

/* FIFO, dangling symlink: an error line each, exit 1; a live symlink: a note. */
static int t_problems_reported_with_exit_1(void)
{
	CHECK(test_sh("cd %s && %s hash --no-progress bad > bout 2> berr", dir, kettle) == 1, "exit 1");
	CHECK(test_sh("cd %s && grep -qx 'kettle hash: bad/fifo: not a regular file (FIFO), skipped' berr",
		 dir) == 0, "fifo line");
	CHECK(test_sh("cd %s && grep -qx \"kettle hash: bad/dangling: dangling symbolic link to 'nowhere'\""
		 " berr", dir) == 0, "dangling line");
	CHECK(test_sh("cd %s && grep -q \"^kettle hash: bad/link: symbolic link to 'ok', not followed\" berr",
		 dir) == 0, "link note");
	CHECK(test_sh("cd %s && test $(wc -l < bout) = 2", dir) == 0, "only the 2 regular files on stdout");
	return TEST_PASS;
}

static int t_follow_symlinks(void)
{
	CHECK(test_sh("cd %s && %s hash --no-progress --follow-symlinks bad > fout 2> ferr", dir, kettle) == 1,
	      "exit 1 (dangling)");
	CHECK(test_sh("cd %s && grep -q '  bad/link$' fout && grep -q dangling ferr", dir) == 0, "link hashed");
	CHECK(test_sh("cd %s && test \"$(grep '  bad/link$' fout | cut -c1-64)\" = "
		 "\"$(sha256sum bad/ok | cut -c1-64)\"", dir) == 0, "link digest is the target's");
	return TEST_PASS;
}

/* The Go h1 construction (hex) computed by coreutils. */
static int t_dirhash_equals_coreutils(void)
{
	CHECK(test_sh("cd %s && %s hash --no-progress --dirhash tree > dout", dir, kettle) == 0, "kettle");
	CHECK(test_sh("cd %s/tree && find . -type f -printf '%%P\\0' | LC_ALL=C sort -z | "
		 "xargs -0 sha256sum | sha256sum | sed 's/-$/tree/' > ../dwant", dir) == 0, "coreutils");
	CHECK(test_sh("cd %s && cmp -s dout dwant", dir) == 0, "diff %s/dout %s/dwant", dir, dir);
	CHECK(test_sh("cd %s && %s hash --no-progress --dirhash bad > /dev/null 2>&1", dir, kettle) == 1,
	      "a tree with errors has no dirhash, exit 1");
	return TEST_PASS;
}

static int t_json_objects(void)
{
	char path[600];
	json_error_t jerr;
	FILE *f;
	char line[2048];
	int files = 0, errors = 0;

	CHECK(test_sh("cd %s && %s hash --no-progress --json bad > jout 2>/dev/null", dir, kettle) == 1,
	      "exit 1");
	snprintf(path, sizeof(path), "%s/jout", dir);
	f = fopen(path, "r");
	CHECK(f, "open %s", path);
	while (fgets(line, sizeof(line), f)) {
		json_t *o = json_loads(line, 0, &jerr);

		CHECK(o && json_is_string(json_object_get(o, "path")), "line: %s", line);
		if (json_object_get(o, "sha256"))
			files += strlen(json_string_value(json_object_get(o, "sha256"))) == 64 &&
				 json_is_integer(json_object_get(o, "size"));
		if (json_object_get(o, "error"))
			errors++;
		json_decref(o);
	}
	fclose(f);
	CHECK(files == 2 && errors == 2, "files %d errors %d", files, errors);
	return TEST_PASS;
}

/* A name that is not UTF-8 is still listed, percent-encoded and marked, with its digest. */
static int t_json_name_not_utf8(void)
{
	char path[600], line[2048], want[65];
	json_error_t jerr;
	json_t *o;
	FILE *f;
	int status;

	CHECK(test_sh("mkdir -p %s/latin && printf 'x' > %s/latin/caf$(printf '\\351')", dir, dir) == 0,
	      "make a Latin-1 name");
	snprintf(path, sizeof(path), "cd %s && sha256sum latin/* | cut -c1-64", dir);
	f = popen(path, "r");
	CHECK(f && fscanf(f, "%64s", want) == 1, "sha256sum");
	pclose(f);
	status = test_sh("cd %s && %s hash --no-progress --json latin > jlatin 2>/dev/null", dir, kettle);
	CHECK(status == 0, "exit %d", status);
	snprintf(path, sizeof(path), "%s/jlatin", dir);
	f = fopen(path, "r");
	CHECK(f, "open %s", path);
	CHECK(fgets(line, sizeof(line), f), "no line for the file");
	fclose(f);
	o = json_loads(line, 0, &jerr);
	CHECK(o, "not JSON: %s", line);
	CHECK(json_is_string(json_object_get(o, "path")) &&
	      !strcmp(json_string_value(json_object_get(o, "path")), "latin/caf%E9"), "path: %s", line);
	CHECK(json_is_string(json_object_get(o, "path_encoding")) &&
	      !strcmp(json_string_value(json_object_get(o, "path_encoding")), "percent"), "encoding: %s", line);
	CHECK(json_is_string(json_object_get(o, "sha256")) &&
	      !strcmp(json_string_value(json_object_get(o, "sha256")), want), "digest: %s", line);
	json_decref(o);
	return TEST_PASS;
}

static int t_unreadable_file_and_directory(void)
{
	int status;
	pid_t pid;

	CHECK(test_sh("mkdir -p %s/locked/closed && cd %s/locked && echo s > secret && chmod 0 secret "
		 "&& echo o > open && chmod 0 closed", dir, dir) == 0, "setup");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		if (lose_dac_override())
			_exit(100);
		_exit(test_sh("cd %s && %s hash --no-progress locked > lout 2> lerr", dir, kettle));
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status), "child");
	CHECK(WEXITSTATUS(status) == 1, "exit %d, want 1", WEXITSTATUS(status));
	CHECK(test_sh("cd %s && grep -qx 'kettle hash: locked/secret: open: Permission denied' lerr && "
		 "grep -q 'locked/closed: cannot read directory: Permission denied' lerr && "
		 "grep -q '  locked/open$' lout", dir) == 0, "see %s/lerr", dir);
	return TEST_PASS;
}

static int t_missing_argument_path(void)
{
	CHECK(test_sh("cd %s && %s hash --no-progress nosuch tree/one > mout 2> merr", dir, kettle) == 1,
	      "exit 1");
	CHECK(test_sh("cd %s && grep -qx 'kettle hash: nosuch: No such file or directory' merr && "
		 "test $(wc -l < mout) = 1", dir) == 0, "reported, the other file hashed");
	CHECK(test_sh("%s hash --help | grep -q dirhash", kettle) == 0, "--help");
	CHECK(test_sh("%s hash -j 0 x 2>/dev/null", kettle) == 125, "-j 0 refused");
	return TEST_PASS;
}

/*
 * Files deleted while kettle walks and hashes (a race; how many vanish varies):
 * each file is either hashed right or reported as vanished (or as changed:
 * an unlink while the file is open changes its ctime), and the exit status
 * says whether any was reported.
 */
static int t_files_deleted_mid_walk(void)
{
	int vanished, status;

	CHECK(test_sh("mkdir -p %s/race && cd %s/race && seq 1 3000 | xargs -n 500 touch && "
		 "for i in 1 2 3 4 5 6 7 8 9; do echo $i > $i; done && "
		 "sha256sum * > ../race.want", dir, dir) == 0, "setup");
	status = test_sh("cd %s && (sleep 0.005; find race -type f -name '*5*' -delete) & "
		    "cd %s && %s hash --no-progress -j 1 race > race.out 2> race.err; rc=$?; wait; exit $rc",
		    dir, dir, kettle);
	CHECK(status == 0 || status == 1, "exit %d", status);
	CHECK(test_sh("cd %s && ! grep -v -e ': vanished during the walk (' -e ': changed while being hashed$' "
		 "race.err", dir) == 0, "only 'vanished' errors: %s/race.err", dir);
	CHECK(test_sh("cd %s && sed 's|  race/|  |' race.out | grep -vxFf race.want | grep -q .", dir) != 0,
	      "a digest that is not the file's: %s/race.out", dir);
	vanished = test_sh("cd %s && exit $(wc -l < race.err)", dir);
	CHECK((vanished > 0) == (status == 1), "exit %d with %d vanished", status, vanished);
	CHECK(test_sh("cd %s && test $(($(wc -l < race.out) + $(wc -l < race.err))) -le 3000", dir) == 0,
	      "no file twice");
	fprintf(stderr, "  (race: %d file(s) reported vanished or changed)\n", vanished);
	return TEST_PASS;
}

/*
 * Deleted mid-walk, made to happen every time with the engine's test hook:
 * the walk lists gone/b, then b is unlinked just before kettle opens it.
 * b is reported as vanished, a and c are hashed right, exit 1.
 */
static int t_deleted_after_the_walk_listed_it(void)
{
	CHECK(test_sh("mkdir -p %s/gone && cd %s/gone && echo a > a && echo b > b && echo c > c", dir, dir) == 0,
	      "setup");
	CHECK(test_sh("cd %s && sha256sum gone/a gone/c > gone.want", dir) == 0, "sha256sum");
	CHECK(test_sh("cd %s && KETTLE_TEST_HASH_UNLINK_BEFORE_OPEN=b %s hash --no-progress gone "
		 "> gone.out 2> gone.err", dir, kettle) == 1, "exit 1");
	CHECK(test_sh("cd %s && test ! -e gone/b", dir) == 0, "the hook deleted gone/b");
	CHECK(test_sh("cd %s && grep -qx 'kettle hash: gone/b: vanished during the walk "
		 "(open: No such file or directory)' gone.err && test $(wc -l < gone.err) = 1", dir) == 0,
	      "one 'vanished' line: %s/gone.err", dir);
	CHECK(test_sh("cd %s && cmp -s gone.out gone.want", dir) == 0, "diff %s/gone.out %s/gone.want", dir, dir);
	return TEST_PASS;
}

/* Deleted while open: the unlink changes the inode's ctime, so no digest is printed for it. */
static int t_deleted_while_being_hashed(void)
{
	CHECK(test_sh("mkdir -p %s/open && cd %s/open && echo a > a && head -c 200000 /dev/urandom > b && "
		 "echo c > c", dir, dir) == 0, "setup");
	CHECK(test_sh("cd %s && sha256sum open/a open/c > open.want", dir) == 0, "sha256sum");
	CHECK(test_sh("cd %s && KETTLE_TEST_HASH_UNLINK_BEFORE_READ=b %s hash --no-progress open "
		 "> open.out 2> open.err", dir, kettle) == 1, "exit 1");
	CHECK(test_sh("cd %s && grep -qx 'kettle hash: open/b: changed while being hashed' open.err && "
		 "test $(wc -l < open.err) = 1", dir) == 0, "one 'changed' line: %s/open.err", dir);
	CHECK(test_sh("cd %s && cmp -s open.out open.want", dir) == 0, "diff %s/open.out %s/open.want", dir, dir);
	return TEST_PASS;
}

/* A sparse file over 4 GiB (offsets past 32 bits), against sha256sum. */
static int t_sparse_over_4gib(void)
{
	char path[600];
	int fd;

	if (getenv("KETTLE_TEST_QUICK"))
		return test_skip("KETTLE_TEST_QUICK set (hashes 2 x 4 GiB, ~10 s)");
	snprintf(path, sizeof(path), "%s/huge/sparse", dir);
	CHECK(test_sh("mkdir -p %s/huge", dir) == 0, "mkdir");
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK(fd >= 0, "open");
	CHECK(pwrite(fd, "tail", 4, (4LL << 30) + 100) == 4 && close(fd) == 0, "sparse file");
	CHECK(test_sh("cd %s && %s hash --no-progress huge > hout && sha256sum huge/sparse > hwant", dir,
		 kettle) == 0, "hash");
	CHECK(test_sh("cd %s && cmp -s hout hwant", dir) == 0, "diff %s/hout %s/hwant", dir, dir);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "setup", t_setup },
	{ "tree_matches_sha256sum", t_tree_matches_sha256sum },
	{ "sha256sum_c_accepts_output", t_sha256sum_c_accepts_output },
	{ "problems_reported_with_exit_1", t_problems_reported_with_exit_1 },
	{ "follow_symlinks", t_follow_symlinks },
	{ "dirhash_equals_coreutils", t_dirhash_equals_coreutils },
	{ "json_objects", t_json_objects },
	{ "json_name_not_utf8", t_json_name_not_utf8 },
	{ "unreadable_file_and_directory", t_unreadable_file_and_directory },
	{ "missing_argument_path", t_missing_argument_path },
	{ "files_deleted_mid_walk", t_files_deleted_mid_walk },
	{ "deleted_after_the_walk_listed_it", t_deleted_after_the_walk_listed_it },
	{ "deleted_while_being_hashed", t_deleted_while_being_hashed },
	{ "sparse_over_4gib", t_sparse_over_4gib },
};

TEST_MAIN("kettle_hash", tests)
