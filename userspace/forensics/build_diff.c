// SPDX-License-Identifier: MIT
/* Two builds compared (build_diff.h): files by normalised path, commands by program and argv, causes by lineage. */
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "forensics/build_diff.h"
#include "forensics/lineage.h"

#define PROPAGATION_ROUNDS 64   /* lineage deeper than this is not followed further */
#define VIA_DEPTH 8

struct side {
	const struct replay *r;
	uint32_t *dfile;        /* per file of the model: its diff file, REPLAY_NONE */
	char **cmd_key;         /* per process that exec'd: program and normalised argv; NULL otherwise */
	size_t *cmd_len;
	bool *matched;
	uint32_t *partner;      /* B only: per process, the process of A it was matched with, REPLAY_NONE */
};

static char *str_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);

	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb + 1);
	}
	return s;
}

/* The build directory with a trailing slash, or NULL. */
static const char *build_dir(const struct replay *r)
{
	const char *cwd = r->log->header.cwd;

	return cwd && cwd[0] == '/' && cwd[1] ? cwd : NULL;
}

static bool under(const char *path, const char *dir)
{
	size_t n = dir ? strlen(dir) : 0;

	return n && !strncmp(path, dir, n) && path[n] == '/';
}

static char *normalise_path(const struct replay *r, uint32_t file)
{
	const char *path = r->files[file].path, *dir = build_dir(r);
	size_t digits = 0;

	if (under(path, dir))
		return str_join(".", path + strlen(dir));
	/* /proc/<pid>/...: the same file of another process in the other build, not a difference */
	if (!strncmp(path, "/proc/", 6))
		while (path[6 + digits] >= '0' && path[6 + digits] <= '9')
			digits++;
	if (digits && (path[6 + digits] == '/' || !path[6 + digits]))
		return str_join("/proc/PID", path + 6 + digits);
	return strdup(path);
}

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Appends WORD to BUF at *LEN: build dir -> ".", the driver's /tmp/ccXXXXXX names masked. */
static void append_word(char *buf, size_t *len, const char *word, const char *dir)
{
	size_t n = dir ? strlen(dir) : 0;
	char *out = buf + *len;

	if (n && !strncmp(word, dir, n) && (word[n] == '/' || !word[n])) {
		*out++ = '.';
		word += n;
	}
	while (*word) {
		if (*word == '/' && !strncmp(word, "/tmp/cc", 7)) {
			int k = 0;

			memcpy(out, word, 7);
			out += 7;
			word += 7;
			for (; k < 6 && alnum(*word); k++, word++)
				*out++ = 'X';
			continue;
		}
		*out++ = *word++;
	}
	*out++ = '\x1f';
	*len = (size_t)(out - buf);
}

static int command_keys(struct side *s)
{
	const struct replay *r = s->r;
	const char *dir = build_dir(r);

	s->cmd_key = calloc((size_t)r->nprocs + 1, sizeof(*s->cmd_key));
	s->cmd_len = calloc((size_t)r->nprocs + 1, sizeof(*s->cmd_len));
	s->matched = calloc((size_t)r->nprocs + 1, sizeof(*s->matched));
	if (!s->cmd_key || !s->cmd_len || !s->matched)
		return -1;
	for (uint32_t p = 0; p < r->nprocs; p++) {
		const struct replay_exec *e;
		size_t size, len = 0;

		if (!r->procs[p].own_exec)
			continue;
		e = &r->execs[r->procs[p].exec];
		size = strlen(e->exe ? e->exe : "") + 2;
		for (uint32_t i = 0; i < e->nargv; i++)
			size += strlen(e->argv[i] ? e->argv[i] : "") + 2;
		s->cmd_key[p] = malloc(size + 1);
		if (!s->cmd_key[p])
			return -1;
		append_word(s->cmd_key[p], &len, e->exe ? e->exe : "", dir);
		for (uint32_t i = 0; i < e->nargv; i++)
			append_word(s->cmd_key[p], &len, e->argv[i] ? e->argv[i] : "", dir);
		s->cmd_key[p][len] = '\0';
		s->cmd_len[p] = len;
	}
	return 0;
}

static void side_free(struct side *s)
{
	if (s->cmd_key)
		for (uint32_t p = 0; p < s->r->nprocs; p++)
			free(s->cmd_key[p]);
	free(s->cmd_key);
	free(s->cmd_len);
	free(s->matched);
	free(s->partner);
	free(s->dfile);
}

static int add_command(struct build_diff *d, uint32_t proc, bool added, size_t *cap)
{
	if (grow_array((void **)&d->commands, cap, (size_t)d->ncommands + 1, sizeof(*d->commands), 64))
		return -1;
	d->commands[d->ncommands++] = (struct diff_command){ proc, added };
	return 0;
}

/* B's commands matched to A's, one to one; the rest are added or removed. */
static int match_commands(struct build_diff *d, struct side *sa, struct side *sb)
{
	struct index_table idx;
	size_t cap = 0;

	sb->partner = malloc(((size_t)sb->r->nprocs + 1) * sizeof(*sb->partner));
	if (!sb->partner || index_table_init(&idx, 1024))
		return -1;
	for (uint32_t p = 0; p < sb->r->nprocs; p++)
		sb->partner[p] = REPLAY_NONE;
	for (uint32_t p = 0; p < sa->r->nprocs; p++)
		if (sa->cmd_key[p] && index_table_insert(&idx, hash_bytes(sa->cmd_key[p], sa->cmd_len[p]), p))
			goto fail;
	for (uint32_t p = 0; p < sb->r->nprocs; p++) {
		uint64_t h;
		bool found = false;

		if (!sb->cmd_key[p])
			continue;
		h = hash_bytes(sb->cmd_key[p], sb->cmd_len[p]);
		for (uint32_t i = index_table_probe(&idx, h); idx.slots[i].id1 && !found;
		     i = index_table_next(&idx, i)) {
			uint32_t q = idx.slots[i].id1 - 1;

			if (!index_table_same_hash(&idx, i, h) || sa->matched[q] || sa->cmd_len[q] != sb->cmd_len[p] ||
			    memcmp(sa->cmd_key[q], sb->cmd_key[p], sb->cmd_len[p]))
				continue;
			sa->matched[q] = sb->matched[p] = found = true;
			sb->partner[p] = q;
		}
		d->commands_matched += found;
	}
	for (uint32_t p = 0; p < sa->r->nprocs; p++)
		if (sa->cmd_key[p] && !sa->matched[p] && add_command(d, p, false, &cap))
			goto fail;
	for (uint32_t p = 0; p < sb->r->nprocs; p++)
		if (sb->cmd_key[p] && !sb->matched[p] && add_command(d, p, true, &cap))
			goto fail;
	index_table_free(&idx);
	return 0;
fail:
	index_table_free(&idx);
	return -1;
}

static bool comparable(const struct replay *r, uint32_t file)
{
	const struct replay_file *f = &r->files[file];

	return (f->flags & (RF_READ | RF_WRITTEN | RF_EXECUTED)) && !(f->flags & RF_TEMP);
}

/* Every comparable file of both sides, by normalised path. */
static int collect_files(struct build_diff *d, struct side *sa, struct side *sb)
{
	struct index_table idx;
	size_t cap = 0;

	if (index_table_init(&idx, 4096))
		return -1;
	for (int side = 0; side < 2; side++) {
		struct side *s = side ? sb : sa;

		s->dfile = malloc(((size_t)s->r->nfiles + 1) * sizeof(*s->dfile));
		if (!s->dfile)
			goto fail;
		for (uint32_t f = 0; f < s->r->nfiles; f++) {
			char *key;
			uint64_t h;
			uint32_t found = REPLAY_NONE;

			s->dfile[f] = REPLAY_NONE;
			if (!comparable(s->r, f))
				continue;
			if (!(key = normalise_path(s->r, f)))
				goto fail;
			h = hash_bytes(key, strlen(key));
			for (uint32_t i = index_table_probe(&idx, h); idx.slots[i].id1 && found == REPLAY_NONE;
			     i = index_table_next(&idx, i))
				if (index_table_same_hash(&idx, i, h) && !strcmp(d->files[idx.slots[i].id1 - 1].key, key))
					found = idx.slots[i].id1 - 1;
			if (found != REPLAY_NONE) {
				free(key);
			} else {
				if (grow_array((void **)&d->files, &cap, (size_t)d->nfiles + 1, sizeof(*d->files),
					       1024) || index_table_insert(&idx, h, d->nfiles)) {
					free(key);
					goto fail;
				}
				d->files[d->nfiles] = (struct diff_file){ .key = key, .a = REPLAY_NONE,
									  .b = REPLAY_NONE };
				found = d->nfiles++;
			}
			if (side)
				d->files[found].b = f;
			else
				d->files[found].a = f;
			s->dfile[f] = found;
		}
	}
	index_table_free(&idx);
	return 0;
fail:
	index_table_free(&idx);
	return -1;
}

static void classify(struct build_diff *d)
{
	for (uint32_t i = 0; i < d->nfiles; i++) {
		struct diff_file *df = &d->files[i];
		const struct replay *r = df->b != REPLAY_NONE ? d->b : d->a;
		uint32_t f = df->b != REPLAY_NONE ? df->b : df->a;
		const struct log_digest *da, *db;

		df->output = r->files[f].flags & RF_WRITTEN;
		for (uint32_t k = 0; k < r->files[f].naccess; k++) {
			uint8_t kind = r->accesses[r->by_file[r->files[f].access_first + k]].kind;

			df->readers += replay_access_reads(kind);
		}
		df->executable = !df->output && (r->files[f].flags & RF_EXECUTED);
		if (df->a == REPLAY_NONE) {
			df->change = DC_ADDED;
			continue;
		}
		if (df->b == REPLAY_NONE) {
			df->change = DC_REMOVED;
			continue;
		}
		da = replay_file_digest(d->a, df->a);
		db = replay_file_digest(d->b, df->b);
		if (!da || !db)
			d->incomparable++;
		else if (memcmp(da->sha256, db->sha256, 32))
			df->change = DC_CHANGED;
		else if (df->output)
			d->same_outputs++;
		else
			d->same_inputs++;
	}
}

static bool causes_add(struct diff_causes *c, uint32_t id)
{
	for (uint8_t i = 0; i < c->n; i++)
		if (c->id[i] == id)
			return false;
	if (c->n < DIFF_CAUSES) {
		c->id[c->n++] = id;
		return true;
	}
	if (c->more)
		return false;
	c->more = true;
	return true;
}

static bool causes_merge(struct diff_causes *to, const struct diff_causes *from)
{
	bool changed = false;

	for (uint8_t i = 0; i < from->n; i++)
		changed |= causes_add(to, from->id[i]);
	if (from->more && !to->more)
		changed = to->more = true;
	return changed;
}

/*
 * Root causes flow from changed inputs (and added commands) through every
 * process that read them into every file it wrote, until nothing changes.
 * Cause ids: a diff file index, or nfiles + a command index.
 */
static int propagate(struct build_diff *d, const struct side *sb)
{
	const struct replay *r = d->b;
	struct diff_causes *proc = calloc((size_t)r->nprocs + 1, sizeof(*proc));
	bool changed = true;

	d->file_causes = calloc((size_t)r->nfiles + 1, sizeof(*d->file_causes));
	if (!proc || !d->file_causes) {
		free(proc);
		return -1;
	}
	for (uint32_t f = 0; f < r->nfiles; f++) {
		uint32_t df = sb->dfile[f];

		if (df != REPLAY_NONE && d->files[df].change && !d->files[df].output)
			causes_add(&d->file_causes[f], df);
	}
	for (uint32_t c = 0; c < d->ncommands; c++)
		if (d->commands[c].added)
			causes_add(&proc[d->commands[c].proc], d->nfiles + c);
	for (int round = 0; changed && round < PROPAGATION_ROUNDS; round++) {
		changed = false;
		for (uint32_t i = 0; i < r->naccesses; i++) {
			const struct replay_access *a = &r->accesses[i];

			if (replay_access_reads(a->kind))
				changed |= causes_merge(&proc[a->proc], &d->file_causes[a->file]);
		}
		for (uint32_t i = 0; i < r->naccesses; i++) {
			const struct replay_access *a = &r->accesses[i];

			if (replay_access_writes(a->kind))
				changed |= causes_merge(&d->file_causes[a->file], &proc[a->proc]);
		}
	}
	free(proc);
	return 0;
}

static const struct build_diff *sort_ctx;

static uint64_t first_write_ts(const struct build_diff *d, const struct diff_file *df)
{
	const struct replay *r = df->b != REPLAY_NONE ? d->b : d->a;
	uint32_t f = df->b != REPLAY_NONE ? df->b : df->a;
	uint32_t w = r->files[f].first_writer;

	return w == REPLAY_NONE ? UINT64_MAX : r->accesses[w].ts_ns - r->start_ns;
}

static int by_reach(const void *x, const void *y)
{
	const struct diff_file *a = &sort_ctx->files[*(const uint32_t *)x];
	const struct diff_file *b = &sort_ctx->files[*(const uint32_t *)y];

	if (a->reaches != b->reaches)
		return a->reaches > b->reaches ? -1 : 1;
	/* of two inputs that explain as much, the one fewer steps read is the specific cause */
	if (a->readers != b->readers)
		return a->readers < b->readers ? -1 : 1;
	return strcmp(a->key, b->key);
}

/* Outputs of B in the order they were first written (objects before the binary); A's removed ones last. */
static int by_write(const void *x, const void *y)
{
	const struct diff_file *a = &sort_ctx->files[*(const uint32_t *)x];
	const struct diff_file *b = &sort_ctx->files[*(const uint32_t *)y];
	bool ra = a->b == REPLAY_NONE, rb = b->b == REPLAY_NONE;
	uint64_t ta, tb;

	if (ra != rb)
		return ra ? 1 : -1;
	ta = first_write_ts(sort_ctx, a);
	tb = first_write_ts(sort_ctx, b);
	if (ta != tb)
		return ta < tb ? -1 : 1;
	return strcmp(a->key, b->key);
}

static int rank(struct build_diff *d)
{
	d->inputs = malloc(((size_t)d->nfiles + 1) * sizeof(*d->inputs));
	d->outputs = malloc(((size_t)d->nfiles + 1) * sizeof(*d->outputs));
	if (!d->inputs || !d->outputs)
		return -1;
	for (uint32_t i = 0; i < d->nfiles; i++) {
		struct diff_file *df = &d->files[i];

		if (!df->change)
			continue;
		if (df->output) {
			d->outputs[d->noutputs++] = i;
			if (df->b == REPLAY_NONE)
				continue;
			for (uint8_t k = 0; k < d->file_causes[df->b].n; k++)
				if (d->file_causes[df->b].id[k] < d->nfiles)
					d->files[d->file_causes[df->b].id[k]].reaches++;
		} else {
			d->inputs[d->ninputs++] = i;
		}
	}
	sort_ctx = d;
	if (d->ninputs > 1)
		qsort(d->inputs, d->ninputs, sizeof(*d->inputs), by_reach);
	if (d->noutputs > 1)
		qsort(d->outputs, d->noutputs, sizeof(*d->outputs), by_write);
	sort_ctx = NULL;
	return 0;
}

/* What each environment change did: the changed outputs its commands wrote, and of those the ones no changed input explains. */
static int env_attribute(struct build_diff *d)
{
	const struct replay *r = d->b;
	struct env_diff *e = &d->env;

	for (uint32_t k = 0; k < d->noutputs; k++) {
		const struct diff_file *df = &d->files[d->outputs[k]];
		uint32_t w = df->b != REPLAY_NONE ? r->files[df->b].first_writer : REPLAY_NONE;
		uint32_t p = w != REPLAY_NONE ? r->accesses[w].proc : REPLAY_NONE;
		bool explained = df->b != REPLAY_NONE && d->file_causes[df->b].n;

		for (uint32_t j = 0; p != REPLAY_NONE && j < e->proc_n[p]; j++) {
			struct env_change *c = &e->changes[e->ids[e->proc_first[p] + j]];

			if (!c->reaches++)
				c->example = p;         /* a writer of a changed output says more than the first command */
			c->alone += !explained;
		}
	}
	return env_diff_rank(e);
}

/* Endpoints one build addressed and the other did not, by name. */
static int compare_endpoints(struct build_diff *d)
{
	d->net_added = malloc(((size_t)d->b->nendpoints + 1) * sizeof(uint32_t));
	d->net_removed = malloc(((size_t)d->a->nendpoints + 1) * sizeof(uint32_t));
	if (!d->net_added || !d->net_removed)
		return -1;
	for (uint32_t i = 0; i < d->b->nendpoints; i++)
		if (replay_endpoint_find(d->a, d->b->endpoints[i].name) == REPLAY_NONE)
			d->net_added[d->nnet_added++] = i;
	for (uint32_t i = 0; i < d->a->nendpoints; i++)
		if (replay_endpoint_find(d->b, d->a->endpoints[i].name) == REPLAY_NONE)
			d->net_removed[d->nnet_removed++] = i;
	return 0;
}

int build_diff_run(struct build_diff *d, const struct replay *a, const struct replay *b)
{
	struct side sa = { .r = a }, sb = { .r = b };
	int rc = -1;

	memset(d, 0, sizeof(*d));
	d->a = a;
	d->b = b;
	if (!collect_files(d, &sa, &sb) && !command_keys(&sa) && !command_keys(&sb) &&
	    !match_commands(d, &sa, &sb) && !env_diff_run(&d->env, a, b, sb.partner)) {
		classify(d);
		if (!propagate(d, &sb) && !rank(d) && !compare_endpoints(d))
			rc = 0;
	}
	/* B's file -> diff file map outlives the run: build_diff_via needs it */
	if (!rc) {
		d->bmap = sb.dfile;
		sb.dfile = NULL;
		rc = env_attribute(d);
	}
	side_free(&sa);
	side_free(&sb);
	if (rc)
		build_diff_free(d);
	return rc;
}

void build_diff_free(struct build_diff *d)
{
	for (uint32_t i = 0; i < d->nfiles; i++)
		free(d->files[i].key);
	free(d->files);
	free(d->inputs);
	free(d->outputs);
	free(d->commands);
	free(d->file_causes);
	free(d->bmap);
	free(d->net_added);
	free(d->net_removed);
	env_diff_free(&d->env);
	memset(d, 0, sizeof(*d));
}

bool build_diff_any(const struct build_diff *d)
{
	return d->ninputs || d->noutputs || d->ncommands || d->nnet_added || d->nnet_removed ||
	       d->env.nchanges;
}

uint32_t build_diff_step(const struct replay *r, uint32_t proc)
{
	const char *driver = replay_proc_exe(r, r->root);
	uint32_t below = proc;

	for (uint32_t p = r->procs[proc].parent, n = 0; p != REPLAY_NONE && n <= r->max_depth;
	     below = p, p = r->procs[p].parent, n++) {
		if (!strcmp(replay_proc_exe(r, p), driver) || p == r->root)
			return below;
	}
	return proc;
}

struct via_ctx {
	const struct build_diff *d;
	void (*fn)(uint32_t dfile, void *arg);
	void *arg;
	uint32_t depth;
	uint8_t *seen;
};

static void via_file(struct via_ctx *c, uint32_t file);

static int via_input(uint32_t file, bool executed, void *arg)
{
	struct via_ctx *c = arg;
	const struct build_diff *d = c->d;
	uint32_t df = d->bmap[file];

	(void)executed;
	if (c->seen[file])
		return 0;
	c->seen[file] = 1;
	if (d->b->files[file].flags & RF_TEMP) {
		if (c->depth < VIA_DEPTH) {
			c->depth++;
			via_file(c, file);
			c->depth--;
		}
	} else if (df != REPLAY_NONE && d->files[df].change && d->files[df].output) {
		c->fn(df, c->arg);
	}
	return 0;
}

static void via_file(struct via_ctx *c, uint32_t file)
{
	const struct replay *r = c->d->b;
	const struct replay_file *f = &r->files[file];
	uint32_t *stamp = calloc((size_t)r->nfiles + 1, sizeof(*stamp)), mark = 0;

	if (!stamp)
		return;
	for (uint32_t i = 0; i < f->naccess; i++) {
		const struct replay_access *a = &r->accesses[r->by_file[f->access_first + i]];

		if (replay_access_writes(a->kind))
			lineage_proc_inputs(r, a->proc, file, stamp, &mark, via_input, c);
	}
	free(stamp);
}

void build_diff_via(const struct build_diff *d, uint32_t file, void (*fn)(uint32_t dfile, void *arg),
		    void *arg)
{
	struct via_ctx c = { .d = d, .fn = fn, .arg = arg };

	c.seen = calloc((size_t)d->b->nfiles + 1, 1);
	if (!c.seen)
		return;
	c.seen[file] = 1;
	via_file(&c, file);
	free(c.seen);
}
