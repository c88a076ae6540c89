// SPDX-License-Identifier: MIT
/* kettle run hashes what the build read, ran and wrote: digests a user can check with sha256sum. */
#include <jansson.h>

#include "digest_check.h"
#include "kettle_test.h"

static int inputs_execs_outputs_match_sha256sum(void)
{
	char dir[256], log[300], in[300], out[300], gone[300], script[2000], real[4096];
	const char *cmd[] = { "sh", "-c", script, NULL };
	struct log_file f = { 0 };
	const struct log_digest *d;
	uint8_t want[32];
	bool cat_ident = false;
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("hash", dir, log);
	snprintf(in, sizeof(in), "%s/in.txt", dir);
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	snprintf(gone, sizeof(gone), "%s/tmp.txt", dir);
	CHECK(write_text(in, "the input\n") == 0, "write input");
	snprintf(script, sizeof(script), "cat '%s' > '%s'; echo temp > '%s'; rm '%s'", in, out, gone, gone);
	CHECK(kettle_run(log, NULL, cmd, NULL) == 0, "kettle run failed");
	CHECK(log_load(log, &f) == 0, "log unreadable");
	CHECK(realpath(in, real), "realpath");
	d = find_digest(&f, real, LOG_DIGEST_INPUT);
	CHECK(d && d->result == 0 && !d->flags, "no clean input digest for %s", real);
	CHECK(sha256_of(in, want) == 0 && !memcmp(want, d->sha256, 32), "input digest differs from sha256sum");
	CHECK(realpath(out, real), "realpath");
	d = find_digest(&f, real, LOG_DIGEST_OUTPUT);
	CHECK(d && d->result == 0, "no output digest for %s", real);
	CHECK(sha256_of(out, want) == 0 && !memcmp(want, d->sha256, 32), "output digest differs from sha256sum");
	CHECK(find_digest(&f, real, LOG_DIGEST_INPUT) == NULL, "an output was listed as an input");
	CHECK(realpath(dir, real), "realpath");
	strncat(real, "/tmp.txt", sizeof(real) - strlen(real) - 1);
	/*
	 * The log's unlink says it is gone: a deleted file is no output at the
	 * end (docs/hashing.md).  When Kettle held it open in time, its content
	 * when deleted is recorded, flagged so (docs/log-format.md, "Digests").
	 */
	d = find_digest(&f, real, LOG_DIGEST_OUTPUT);
	CHECK(!d || (d->result == 0 && d->flags == LOG_DIGEST_AT_DELETE && write_text(gone, "temp\n") == 0 &&
		     sha256_of(gone, want) == 0 && !memcmp(want, d->sha256, 32)),
	      "the deleted temporary file was hashed as an output (result %d, flags 0x%x)", d ? d->result : 0,
	      d ? d->flags : 0);
	CHECK(f.trailer.hash.failed == 0, "%llu files counted as failed", (unsigned long long)f.trailer.hash.failed);
	CHECK(realpath("/usr/bin/cat", real), "realpath");
	d = find_digest(&f, real, LOG_DIGEST_EXEC);
	CHECK(d && d->result == 0, "no exec digest for %s", real);
	CHECK(sha256_of(real, want) == 0 && !memcmp(want, d->sha256, 32), "exec digest differs");
	for (size_t i = 0; i < f.nexec_idents; i++)
		if (!strcmp(f.exec_idents[i].path, real))
			cat_ident = f.exec_idents[i].build_id && strlen(f.exec_idents[i].build_id) == 40 &&
				    f.exec_idents[i].interp && f.exec_idents[i].nneeded > 0;
	CHECK(cat_ident, "no ELF identity (build-id, interpreter, needed) for %s", real);
	CHECK(f.trailer.hash.hashed >= 3, "hash stats not in the trailer");
	log_file_free(&f);
	return TEST_PASS;
}

/*
 * Runs SCRIPT under kettle with the hasher waiting 1 s before each open, so
 * that what the script does next happens before the hash; loads the log into F.
 */
static int run_with_hash_delay(const char *log, const char *script, struct log_file *f)
{
	const char *cmd[] = { "sh", "-c", script, NULL };
	int rc;

	setenv("KETTLE_TEST_HASH_DELAY_MS", "1000", 1);
	rc = kettle_run(log, NULL, cmd, NULL);
	unsetenv("KETTLE_TEST_HASH_DELAY_MS");
	return rc == 0 ? log_load(log, f) : -1;
}

static int rewritten_input_flagged_changed(void)
{
	char dir[256], log[300], in[300], script[1000], real[4096];
	struct log_file f = { 0 };
	const struct log_digest *d;
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("rewrite", dir, log);
	snprintf(in, sizeof(in), "%s/config.h", dir);
	CHECK(write_text(in, "#define A 1\n") == 0, "write input");
	/* The hasher waits 1 s before opening: the build rewrites the file in between. */
	snprintf(script, sizeof(script), "cat '%s' >/dev/null; printf '#define A 2\\n' > '%s'", in, in);
	CHECK(run_with_hash_delay(log, script, &f) == 0, "kettle run failed or its log is unreadable");
	CHECK(realpath(in, real), "realpath");
	d = find_digest(&f, real, LOG_DIGEST_INPUT);
	CHECK(d, "no input digest for %s", real);
	CHECK(d->flags & LOG_DIGEST_CHANGED, "the rewritten input is not flagged as changed");
	CHECK(f.trailer.hash.changed >= 1, "changed count not in the trailer");
	log_file_free(&f);
	return TEST_PASS;
}

/*
 * A process outside the build rewrites the build's output after the build's
 * last process exited and before Kettle hashed it (the hasher waits 1 s): the
 * digest is not what the build made, and the provenance must not call it a
 * subject of a complete build.
 */
static int output_changed_after_the_build_is_flagged(void)
{
	char dir[256], log[300], stmt[320], out[300], ready[300];
	const char *opts[] = { "--provenance", stmt, NULL };
	const char *cmd[] = { "sh", "-c", "echo built > out; echo > ready", NULL };
	json_t *st, *reasons, *r;
	bool named = false, subject = false;
	int status, rc = bpf_usable();
	pid_t kettle, tamper;
	size_t i;

	if (rc)
		return rc;
	test_workdir("output-tampered", dir, log);
	snprintf(stmt, sizeof(stmt), "%s/statement.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(ready, sizeof(ready), "%s/ready", dir);
	tamper = fork();
	if (tamper == 0) {
		/* outside the build: once the build is over, append to its output */
		for (int n = 0; n < 1000 && access(ready, F_OK); n++)
			usleep(10000);
		usleep(300000);
		_exit(test_sh("echo tampered >> '%s'", out) ? 1 : 0);
	}
	CHECK(tamper > 0, "fork");
	setenv("KETTLE_TEST_HASH_DELAY_MS", "1000", 1);
	kettle = kettle_start_in(dir, log, opts, cmd, NULL, false);
	unsetenv("KETTLE_TEST_HASH_DELAY_MS");
	CHECK(kettle > 0, "fork kettle");
	CHECK(waitpid(kettle, &status, 0) == kettle && WIFEXITED(status), "kettle run ended");
	CHECK(waitpid(tamper, &rc, 0) == tamper && WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "the output was tampered with");
	CHECK(WEXITSTATUS(status) == 125, "kettle run exits 125 (got %d)", WEXITSTATUS(status));
	st = json_load_file(stmt, 0, NULL);
	CHECK(st, "a statement was written");
	reasons = json_object_get(json_object_get(json_object_get(json_array_get(json_object_get(json_object_get(
		json_object_get(st, "predicate"), "runDetails"), "byproducts"), 0), "annotations"), "completeness"),
		"reasons");
	json_array_foreach(reasons, i, r)
		named |= !strcmp(json_string_value(json_object_get(r, "reason")) ?: "", "output-changed") &&
			 strstr(json_string_value(json_object_get(r, "path")) ?: "", "/out");
	json_array_foreach(json_object_get(st, "subject"), i, r)
		subject |= !strcmp(json_string_value(json_object_get(r, "name")) ?: "", "out");
	json_decref(st);
	CHECK(named, "the reason output-changed names out");
	CHECK(!subject, "the tampered file is not a subject");
	return TEST_PASS;
}

/* A tool run by the build and rewritten before the hasher reached it: its exec digest is flagged. */
static int rewritten_executable_flagged_changed(void)
{
	char dir[256], log[300], script[1400], real[4096], kept[300], rewritten[300];
	struct log_file f = { 0 };
	const struct log_digest *d;
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("rewrite-exec", dir, log);
	snprintf(kept, sizeof(kept), "%s/kept-tool", dir);
	snprintf(rewritten, sizeof(rewritten), "%s/tool", dir);
	CHECK(test_sh("cp /bin/true '%s' && cp /bin/true '%s'", kept, rewritten) == 0, "copy tools");
	/* The hasher waits 1 s before each open: the build rewrites one tool meanwhile. */
	snprintf(script, sizeof(script), "'%s'; '%s'; sleep 0.1; cp /bin/false '%s'", kept, rewritten, rewritten);
	CHECK(run_with_hash_delay(log, script, &f) == 0, "kettle run failed or its log is unreadable");
	CHECK(realpath(rewritten, real), "realpath");
	d = find_digest(&f, real, LOG_DIGEST_EXEC);
	CHECK(d && d->result == 0, "no exec digest for %s", real);
	CHECK(d->flags & LOG_DIGEST_CHANGED, "the tool rewritten after it ran is not flagged as changed");
	CHECK(realpath(kept, real), "realpath");
	d = find_digest(&f, real, LOG_DIGEST_EXEC);
	CHECK(digest_is_content(d, real) && d->flags == 0, "the untouched tool's exec digest is not clean");
	log_file_free(&f);
	return TEST_PASS;
}

static int no_hash_option_hashes_nothing(void)
{
	const char *cmd[] = { "cat", "/etc/hostname", NULL };
	const char *opts[] = { "--no-hash", NULL };
	char dir[256], log[300];
	struct log_file f = { 0 };
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("nohash", dir, log);
	CHECK(kettle_run(log, opts, cmd, "/dev/null") == 0, "kettle run failed");
	CHECK(log_load(log, &f) == 0, "log unreadable");
	CHECK(f.ndigests == 0 && f.trailer.hash.queued == 0, "--no-hash still hashed %zu files", f.ndigests);
	log_file_free(&f);
	return TEST_PASS;
}

static int full_queue_counted_and_logged(void)
{
	const char *cmd[] = { "sh", "-c", "cat /etc/hostname /etc/passwd /etc/group /etc/os-release >/dev/null", NULL };
	const char *opts[] = { "--hash-queue", "1", "--hash-workers", "1", NULL };
	char dir[256], log[300];
	struct log_file f = { 0 };
	size_t not_hashed = 0;
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("queuefull", dir, log);
	/* One slot, and the one worker holds each file 300 ms: the build outruns it. */
	setenv("KETTLE_TEST_HASH_DELAY_MS", "300", 1);
	rc = kettle_run(log, opts, cmd, NULL);
	unsetenv("KETTLE_TEST_HASH_DELAY_MS");
	CHECK(rc == 0, "kettle run failed");
	CHECK(log_load(log, &f) == 0, "log unreadable");
	for (size_t i = 0; i < f.ndigests; i++)
		not_hashed += f.digests[i].result == -ENOBUFS;
	CHECK(not_hashed > 0, "no file logged as not hashed with a one-slot queue");
	CHECK(f.trailer.hash.queue_full == not_hashed, "trailer counts %llu, log holds %zu",
	      (unsigned long long)f.trailer.hash.queue_full, not_hashed);
	log_file_free(&f);
	return TEST_PASS;
}

/* Runs `sh -c SCRIPT` in DIR under kettle run: DIR/NAME must have an output digest equal to sha256sum's. */
static int output_after_script_is_content(const char *dir, const char *log, const char *script, const char *name)
{
	const char *cmd[] = { "sh", "-c", script, NULL };
	struct log_file f = { 0 };
	char real[4096];

	CHECK(kettle_run(log, NULL, cmd, NULL) == 0, "kettle run failed");
	CHECK(log_load(log, &f) == 0, "log unreadable");
	CHECK(realpath(dir, real), "realpath");
	strncat(real, name, sizeof(real) - strlen(real) - 1);
	CHECK(digest_is_content(find_digest(&f, real, LOG_DIGEST_OUTPUT), real), "no digest of %s as sha256sum", real);
	CHECK(f.trailer.hash.failed == 0, "%llu failed", (unsigned long long)f.trailer.hash.failed);
	log_file_free(&f);
	return TEST_PASS;
}

/* mkdir stage; echo > stage/a.o; mv stage dist: dist/a.o is the output. */
static int moved_directory_output_hashed(void)
{
	char dir[256], log[300], script[1000];
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("mvdir", dir, log);
	snprintf(script, sizeof(script), "cd '%s' && mkdir stage && echo object > stage/a.o && mv stage dist", dir);
	return output_after_script_is_content(dir, log, script, "/dist/a.o");
}

/* A file from before the build moved onto an output: the output is the file the build left there. */
static int file_moved_onto_output_hashed(void)
{
	char dir[256], log[300], pre[300], script[1000];
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("mvfile", dir, log);
	snprintf(pre, sizeof(pre), "%s/prebuilt.o", dir);
	CHECK(write_text(pre, "prebuilt\n") == 0, "write prebuilt.o");
	snprintf(script, sizeof(script), "cd '%s' && echo first > out.o && mv prebuilt.o out.o", dir);
	return output_after_script_is_content(dir, log, script, "/out.o");
}

static const struct test tests[] = {
	{ "inputs_execs_outputs_match_sha256sum", inputs_execs_outputs_match_sha256sum },
	{ "rewritten_input_flagged_changed", rewritten_input_flagged_changed },
	{ "rewritten_executable_flagged_changed", rewritten_executable_flagged_changed },
	{ "no_hash_option_hashes_nothing", no_hash_option_hashes_nothing },
	{ "full_queue_counted_and_logged", full_queue_counted_and_logged },
	{ "moved_directory_output_hashed", moved_directory_output_hashed },
	{ "file_moved_onto_output_hashed", file_moved_onto_output_hashed },
	{ "output_changed_after_the_build_is_flagged", output_changed_after_the_build_is_flagged },
};

TEST_MAIN("hashing", tests)
