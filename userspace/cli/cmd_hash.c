// SPDX-License-Identifier: MIT
/*
 * kettle hash [-j N] [--json] [--dirhash] [--follow-symlinks] PATH...
 * sha256sum-compatible digests of files and trees, computed by the hash
 * engine.  Trees are walked depth-first with each directory's entries sorted
 * so that the output is in byte order of the full paths (LC_ALL=C sort).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "cli/cli_err.h"
#include "cli/commands.h"
#include "common/grow.h"
#include "common/hex.h"
#include "common/text_enc.h"
#include "hash/hash_engine.h"

#define WINDOW          4096u   /* entries between the walk and the printer */
#define POLL_BATCH      64
#define DEPTH_MAX       1024    /* deeper trees are refused, not followed into a loop */
#define REASON_LEN      600

enum kind { K_FILE, K_ERROR, K_NOTE };

/* One line of output, in walk order. */
struct entry {
	enum kind kind;
	bool done;
	char *path;             /* as printed */
	size_t rel;             /* offset of the path relative to its tree */
	bool walked;            /* found by the walk (ENOENT then means it vanished) */
	char *msg;              /* K_ERROR, K_NOTE */
	struct hash_result res; /* K_FILE */
};

struct dirent_info {
	char *name;
	bool is_dir;            /* sorts as "name/" */
	unsigned char type;     /* DT_* after resolving DT_UNKNOWN (and links when followed) */
};

struct dir_id {
	dev_t dev;
	ino_t ino;
	const struct dir_id *up;
};

struct ctx {
	struct hash_engine *e;
	bool json, dirhash, follow, progress;
	int status;
	struct entry *win;
	uint64_t next_seq, next_print;
	/* the tree being walked for --dirhash */
	EVP_MD_CTX *tree_md;
	size_t tree_files, tree_errors;
	/* progress */
	uint64_t files, bytes;
	struct timespec start, last;
};

/* ---- output ---- */

static bool needs_escape(const char *s)
{
	return strpbrk(s, "\\\n\r") != NULL;
}

/* The name as GNU sha256sum writes it: \\, \n and \r escaped. */
static void print_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\r')
			fputs("\\r", f);
		else
			fputc(*s, f);
	}
}

/* PATH as print_escaped writes it, malloc'd; NULL when out of memory (callers then show PATH as is). */
static char *escaped(const char *path)
{
	char *s = NULL;
	size_t n;
	FILE *f = open_memstream(&s, &n);

	if (!f)
		return NULL;
	print_escaped(f, path);
	if (fclose(f)) {
		free(s);
		return NULL;
	}
	return s;
}

static void print_sum_line(const char *hex, const char *path)
{
	if (needs_escape(path))
		putchar('\\');
	fputs(hex, stdout);
	fputs("  ", stdout);
	print_escaped(stdout, path);
	putchar('\n');
}

/*
 * One JSON line for PATH: OBJ with "path" added.  A name that is not UTF-8
 * goes percent-encoded, with "path_encoding": "percent", so no byte is lost;
 * a line that cannot be written is an error, never a silent gap.
 */
static void print_json(struct ctx *c, json_t *obj, const char *path)
{
	bool utf8 = text_is_utf8(path);
	char *enc = utf8 ? NULL : text_percent_encode("", path);
	json_t *line = json_object();   /* "path" first, for a person reading along */
	char *s = NULL;

	if (line && obj && (utf8 || enc) &&
	    !json_object_set_new(line, "path", json_string(utf8 ? path : enc)) &&
	    (utf8 || !json_object_set_new(line, "path_encoding", json_string("percent"))) &&
	    !json_object_update(line, obj))
		s = json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (s) {
		puts(s);
	} else {
		char *name = escaped(path);

		cli_err("hash", "%s: cannot write its JSON line (out of memory)", name ? name : path);
		free(name);
		c->status = 1;
	}
	free(s);
	free(enc);
	json_decref(line);
	json_decref(obj);
}

static void progress_clear(struct ctx *c)
{
	if (c->progress && c->last.tv_sec)
		fputs("\r\033[K", stderr);
}

/* A per-file problem: always on stderr; in the JSON stream too. */
static void report(struct ctx *c, const char *path, const char *reason, bool error)
{
	char *name = escaped(path);

	progress_clear(c);
	fflush(stdout);         /* keep stdout and stderr lines in order on a terminal */
	cli_err("hash", "%s: %s", name ? name : path, reason);
	free(name);
	if (error) {
		c->status = 1;
		c->tree_errors++;
	}
	if (c->json)
		print_json(c, json_pack("{s:s}", error ? "error" : "note", reason), path);
}

static void print_file(struct ctx *c, struct entry *en)
{
	char hex[2 * HASH_DIGEST_LEN + 1];

	hex_encode(en->res.digest, sizeof(en->res.digest), hex);
	c->files++;
	c->bytes += en->res.bytes;
	if (c->tree_md) {
		const char *rel = en->path + en->rel;

		/* Go's h1 refuses such names: the summary's lines would be ambiguous. */
		if (strchr(rel, '\n')) {
			report(c, en->path, "newline in the name, not allowed in a dirhash", true);
			return;
		}
		c->tree_files++;
		if (!EVP_DigestUpdate(c->tree_md, hex, strlen(hex)) ||
		    !EVP_DigestUpdate(c->tree_md, "  ", 2) ||
		    !EVP_DigestUpdate(c->tree_md, rel, strlen(rel)) ||
		    !EVP_DigestUpdate(c->tree_md, "\n", 1))
			report(c, en->path, "SHA-256 failed", true);
		return;
	}
	if (c->json)
		print_json(c, json_pack("{s:s, s:I}", "sha256", hex, "size", (json_int_t)en->res.bytes),
			   en->path);
	else
		print_sum_line(hex, en->path);
}

static void print_entry(struct ctx *c, struct entry *en)
{
	char reason[REASON_LEN];

	if (en->kind != K_FILE) {
		if (en->msg)
			report(c, en->path, en->msg, en->kind == K_ERROR);
		return;
	}
	if (en->res.error || en->res.changed) {
		char why[256];

		hash_result_reason(&en->res, why, sizeof(why));
		if (en->walked && en->res.step == HASH_STEP_OPEN && en->res.error == -ENOENT)
			snprintf(reason, sizeof(reason), "vanished during the walk (%s)", why);
		else
			snprintf(reason, sizeof(reason), "%s", why);
		report(c, en->path, reason, true);
		return;
	}
	print_file(c, en);
}

static void progress_update(struct ctx *c)
{
	struct timespec now;

	if (!c->progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - c->start.tv_sec < 1)
		return;         /* short runs stay quiet */
	if (c->last.tv_sec && (now.tv_sec - c->last.tv_sec) * 1000 +
	    (now.tv_nsec - c->last.tv_nsec) / 1000000 < 500)
		return;
	c->last = now;
	fprintf(stderr, "\r\033[Kkettle hash: %" PRIu64 " files, %.1f MiB", c->files,
		(double)c->bytes / (1024 * 1024));
}

/* ---- the window between the walk and the printer ---- */

static void print_ready(struct ctx *c)
{
	while (c->next_print < c->next_seq) {
		struct entry *en = &c->win[c->next_print % WINDOW];

		if (!en->done)
			break;
		print_entry(c, en);
		free(en->path);
		free(en->msg);
		hash_result_clear(&en->res);
		memset(en, 0, sizeof(*en));
		c->next_print++;
	}
	progress_update(c);
}

static void pump(struct ctx *c, bool block)
{
	struct hash_result r[POLL_BATCH];
	size_t n = hash_engine_poll(c->e, r, POLL_BATCH, block ? 250 : 0);

	for (size_t i = 0; i < n; i++) {
		struct entry *en = &c->win[r[i].cookie % WINDOW];

		en->res = r[i];
		en->done = true;
	}
	print_ready(c);
}

/* Waits until every entry so far is printed. */
static void drain(struct ctx *c)
{
	print_ready(c);
	while (c->next_print < c->next_seq)
		pump(c, true);
}

/* A new entry at the end of the window; PATH becomes the window's. */
static struct entry *entry_new(struct ctx *c, char *path, size_t rel, enum kind kind)
{
	struct entry *en;

	while (c->next_seq - c->next_print >= WINDOW)
		pump(c, true);
	en = &c->win[c->next_seq % WINDOW];
	memset(en, 0, sizeof(*en));
	en->kind = kind;
	en->path = path;
	en->rel = rel;
	c->next_seq++;
	return en;
}

static void add_message(struct ctx *c, char *path, size_t rel, enum kind kind, const char *msg)
{
	struct entry *en = entry_new(c, path, rel, kind);

	en->msg = strdup(msg);
	if (!en->msg) {
		cli_err("hash", "out of memory");
		c->status = 1;
		en->kind = K_NOTE;      /* nothing more to say; the status says it */
	}
	en->done = true;
}

/* Hashes OPEN_PATH, printed as PATH. */
static void add_file(struct ctx *c, char *path, size_t rel, const char *open_path, bool walked)
{
	uint64_t seq = c->next_seq;
	struct entry *en = entry_new(c, path, rel, K_FILE);
	int r;

	en->walked = walked;
	while ((r = hash_engine_submit(c->e, open_path, seq)) == -EAGAIN)
		pump(c, true);
	if (r) {
		en->res.step = HASH_STEP_OPEN;
		en->res.error = r;
		en->done = true;
	}
}

/* ---- the walk ---- */

static char *join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	bool slash = dl && dir[dl - 1] == '/';
	char *p = malloc(dl + nl + 2);

	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	if (!slash)
		p[dl++] = '/';
	memcpy(p + dl, name, nl + 1);
	return p;
}

static const char *type_reason(unsigned char type)
{
	switch (type) {
	case DT_FIFO: return "not a regular file (FIFO), skipped";
	case DT_CHR: return "not a regular file (character device), skipped";
	case DT_BLK: return "not a regular file (block device), skipped";
	case DT_SOCK: return "not a regular file (socket), skipped";
	default: return "not a regular file (unknown type), skipped";
	}
}

static unsigned char mode_type(mode_t m)
{
	return S_ISREG(m) ? DT_REG : S_ISDIR(m) ? DT_DIR : S_ISLNK(m) ? DT_LNK :
	       S_ISFIFO(m) ? DT_FIFO : S_ISCHR(m) ? DT_CHR : S_ISBLK(m) ? DT_BLK :
	       S_ISSOCK(m) ? DT_SOCK : DT_UNKNOWN;
}

/* Byte order of "name" or "name/" for directories: the order of full paths. */
static int dirent_cmp(const void *pa, const void *pb)
{
	const struct dirent_info *a = pa, *b = pb;
	const unsigned char *x = (const unsigned char *)a->name, *y = (const unsigned char *)b->name;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return (int)(*x ? *x : a->is_dir ? '/' : 0) - (int)(*y ? *y : b->is_dir ? '/' : 0);
}

/* The type a walked entry is treated as; DT_UNKNOWN with errno when it vanished. */
static unsigned char resolve_type(const struct ctx *c, const char *path, unsigned char type)
{
	struct stat st;

	if (type == DT_UNKNOWN) {
		if (lstat(path, &st))
			return DT_UNKNOWN;
		type = mode_type(st.st_mode);
	}
	if (type == DT_LNK && c->follow) {
		if (stat(path, &st))
			return DT_LNK;          /* dangling: reported as such */
		type = mode_type(st.st_mode);
	}
	return type;
}

static void free_list(struct dirent_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i].name);
	free(list);
}

/* Reads a whole directory (and closes it: deep trees hold no descriptors). */
static int read_dir(struct ctx *c, const char *path, struct dirent_info **out, size_t *count)
{
	DIR *d = opendir(path);
	struct dirent_info *list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int err = 0;

	if (!d)
		return -errno;
	while ((errno = 0, de = readdir(d))) {
		char *full;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (grow_array((void **)&list, &cap, n + 1, sizeof(*list), 64)) {
			err = -ENOMEM;
			break;
		}
		full = join(path, de->d_name);
		list[n].name = strdup(de->d_name);
		if (!full || !list[n].name) {
			free(full);
			free(list[n].name);
			err = -ENOMEM;
			break;
		}
		list[n].type = resolve_type(c, full, de->d_type);
		list[n].is_dir = list[n].type == DT_DIR;
		n++;
		free(full);
	}
	if (!err && errno)
		err = -errno;
	closedir(d);
	if (err) {
		free_list(list, n);
		return err;
	}
	qsort(list, n, sizeof(*list), dirent_cmp);
	*out = list;
	*count = n;
	return 0;
}

static void walk_dir(struct ctx *c, const char *path, size_t rel, int depth, const struct dir_id *up);

static void add_reason(struct ctx *c, const char *path, size_t rel, enum kind kind, const char *fmt,
		       const char *arg)
{
	char msg[REASON_LEN];
	char *p = strdup(path);

	snprintf(msg, sizeof(msg), fmt, arg);
	if (!p) {
		cli_err("hash", "out of memory");
		c->status = 1;
		return;
	}
	add_message(c, p, rel, kind, msg);
}

/* A symlink met by the walk: never silently skipped. */
static void walk_symlink(struct ctx *c, const char *path, size_t rel)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	struct stat st;

	if (n < 0) {
		add_reason(c, path, rel, K_ERROR, "vanished during the walk (%s)", strerror(errno));
		return;
	}
	target[n] = '\0';
	if (stat(path, &st))
		add_reason(c, path, rel, K_ERROR, "dangling symbolic link to '%s'", target);
	else if (!c->follow)
		add_reason(c, path, rel, K_NOTE,
			   "symbolic link to '%s', not followed (--follow-symlinks)", target);
}

static void walk_entry(struct ctx *c, const char *dir, const struct dirent_info *de, size_t rel,
		       int depth, const struct dir_id *up)
{
	char *full = join(dir, de->name);

	if (!full) {
		add_reason(c, dir, rel, K_ERROR, "%s", strerror(ENOMEM));
		return;
	}
	switch (de->type) {
	case DT_REG:
		add_file(c, full, rel, full, true);
		return;         /* the window owns FULL now */
	case DT_DIR:
		walk_dir(c, full, rel, depth + 1, up);
		break;
	case DT_LNK:
		walk_symlink(c, full, rel);
		break;
	case DT_UNKNOWN:
		add_reason(c, full, rel, K_ERROR, "vanished during the walk (%s)", strerror(ENOENT));
		break;
	default:
		add_reason(c, full, rel, K_ERROR, "%s", type_reason(de->type));
		break;
	}
	free(full);
}

static bool on_stack(const struct dir_id *up, const struct stat *st)
{
	for (; up; up = up->up)
		if (up->dev == st->st_dev && up->ino == st->st_ino)
			return true;
	return false;
}

static void walk_dir(struct ctx *c, const char *path, size_t rel, int depth, const struct dir_id *up)
{
	struct dirent_info *list = NULL;
	struct dir_id self = { .up = up };
	struct stat st;
	size_t n = 0;
	int r;

	if (depth > DEPTH_MAX) {
		add_reason(c, path, rel, K_ERROR, "more than %s directory levels, not walked", "1024");
		return;
	}
	if (stat(path, &st)) {
		add_reason(c, path, rel, K_ERROR, "vanished during the walk (%s)", strerror(errno));
		return;
	}
	if (on_stack(up, &st)) {
		add_reason(c, path, rel, K_ERROR, "%s", "symbolic link loop, not walked again");
		return;
	}
	self.dev = st.st_dev;
	self.ino = st.st_ino;
	r = read_dir(c, path, &list, &n);
	if (r) {
		add_reason(c, path, rel, K_ERROR, "cannot read directory: %s", strerror(-r));
		return;
	}
	for (size_t i = 0; i < n; i++)
		walk_entry(c, path, &list[i], rel, depth, &self);
	free_list(list, n);
}

/* ---- arguments ---- */

static void finish_tree(struct ctx *c, const char *arg)
{
	uint8_t digest[HASH_DIGEST_LEN];
	char hex[2 * HASH_DIGEST_LEN + 1];
	unsigned len = 0;

	drain(c);
	if (!EVP_DigestFinal_ex(c->tree_md, digest, &len)) {
		report(c, arg, "SHA-256 failed", true);
	} else if (c->tree_errors) {
		char msg[128];

		snprintf(msg, sizeof(msg), "no dirhash: %zu error(s) in the tree", c->tree_errors);
		report(c, arg, msg, true);
	} else {
		hex_encode(digest, sizeof(digest), hex);
		progress_clear(c);
		if (c->json)
			print_json(c, json_pack("{s:s, s:I}", "dirhash", hex, "files", (json_int_t)c->tree_files),
				   arg);
		else
			print_sum_line(hex, arg);
	}
	EVP_MD_CTX_free(c->tree_md);
	c->tree_md = NULL;
}

static void hash_tree(struct ctx *c, const char *arg)
{
	size_t len = strlen(arg);
	size_t rel = len && arg[len - 1] == '/' ? len : len + 1;

	if (c->dirhash) {
		drain(c);       /* errors counted per tree */
		c->tree_files = c->tree_errors = 0;
		c->tree_md = EVP_MD_CTX_new();
		if (!c->tree_md || !EVP_DigestInit_ex2(c->tree_md, EVP_sha256(), NULL)) {
			report(c, arg, "SHA-256 failed", true);
			EVP_MD_CTX_free(c->tree_md);
			c->tree_md = NULL;
			return;
		}
	}
	walk_dir(c, arg, rel, 0, NULL);
	if (c->tree_md)
		finish_tree(c, arg);
}

/* A command-line argument: followed when it is a symlink, as sha256sum does. */
static void hash_arg(struct ctx *c, const char *arg)
{
	struct stat st;
	char *resolved, *path;

	if (stat(arg, &st)) {
		add_reason(c, arg, 0, K_ERROR, "%s", strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		hash_tree(c, arg);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		add_reason(c, arg, 0, K_ERROR, "%s", type_reason(mode_type(st.st_mode)));
		return;
	}
	/* The engine opens without following links; the argument's own links are
	 * resolved here so a link given by name is hashed like sha256sum does. */
	resolved = realpath(arg, NULL);
	path = strdup(arg);
	if (!resolved || !path) {
		add_reason(c, arg, 0, K_ERROR, "%s", strerror(errno));
		free(path);
	} else {
		add_file(c, path, 0, resolved, false);
	}
	free(resolved);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: kettle hash [-j N] [--json] [--dirhash] [--follow-symlinks] PATH...\n"
		"SHA-256 of files; directories are walked recursively, in byte order of paths.\n"
		"Output is sha256sum's (`sha256sum -c` checks it).\n\n"
		"  -j, --jobs N         worker threads, one io_uring each (default: online CPUs)\n"
		"      --json           one JSON object per line: path, sha256, size (or error)\n"
		"      --dirhash        one digest per directory argument: SHA-256 of the lines\n"
		"                       \"<hex>  <relative path>\\n\" in path order (Go h1, in hex)\n"
		"      --follow-symlinks  follow symlinks met in directories (default: reported\n"
		"                       on stderr and not hashed; dangling ones are errors)\n"
		"      --no-progress    no progress line on a terminal\n\n"
		"Per-file problems go to stderr as \"kettle hash: PATH: reason\" and make the\n"
		"exit status 1; 125 when kettle itself fails.  See docs/hashing.md.\n");
}

static int parse_args(int argc, char **argv, struct ctx *c, struct hash_engine_options *o)
{
	static const struct option longopts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", no_argument, NULL, 'J' },
		{ "dirhash", no_argument, NULL, 'D' },
		{ "follow-symlinks", no_argument, NULL, 'L' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	c->progress = isatty(STDERR_FILENO);
	while ((opt = getopt_long(argc, argv, "+j:h", longopts, NULL)) != -1) {
		char *end;
		unsigned long j;

		switch (opt) {
		case 'j':
			errno = 0;
			j = strtoul(optarg, &end, 10);
			if (errno || *end || j < 1 || j > HASH_WORKERS_MAX) {
				cli_err("hash", "-j wants 1..%d", HASH_WORKERS_MAX);
				return -1;
			}
			o->workers = (unsigned)j;
			break;
		case 'J': c->json = true; break;
		case 'D': c->dirhash = true; break;
		case 'L': c->follow = true; break;
		case 'P': c->progress = false; break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return -1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return -1;
	}
	o->no_follow = !c->follow;
	return 0;
}

int cmd_hash(int argc, char **argv)
{
	struct hash_engine_options o = { .queue_capacity = WINDOW };
	struct ctx c = { .status = 0 };
	char err[256];
	int r = parse_args(argc, argv, &c, &o);

	if (r)
		return r > 0 ? 0 : KETTLE_EXIT_OWN_ERROR;
	c.win = calloc(WINDOW, sizeof(*c.win));
	if (!c.win) {
		cli_err("hash", "out of memory");
		return KETTLE_EXIT_OWN_ERROR;
	}
	hash_engine_test_hooks(&o);
	c.e = hash_engine_new(&o, err, sizeof(err));
	if (!c.e) {
		cli_err("hash", "%s", err);
		free(c.win);
		return KETTLE_EXIT_OWN_ERROR;
	}
	clock_gettime(CLOCK_MONOTONIC, &c.start);
	for (int i = optind; i < argc; i++)
		hash_arg(&c, argv[i]);
	drain(&c);
	progress_clear(&c);
	r = hash_engine_finish(c.e);
	hash_engine_free(c.e);
	free(c.win);
	if (fflush(stdout) || ferror(stdout)) {
		cli_err("hash", "writing the output: %s", strerror(errno));
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (r) {
		cli_err("hash", "hash engine: %s", strerror(-r));
		return KETTLE_EXIT_OWN_ERROR;
	}
	return c.status;
}
