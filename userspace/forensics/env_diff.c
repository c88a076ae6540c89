// SPDX-License-Identifier: MIT
/* Environment differences between matched commands (env_diff.h). */
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "forensics/env_diff.h"
#include "log/env_redact.h"

/* One variable of an environment: where its name ends. */
struct var {
	const char *s;
	size_t name_len;
};

static size_t name_len(const char *s)
{
	const char *eq = strchr(s, '=');

	return eq ? (size_t)(eq - s) : strlen(s);
}

static int var_cmp(const void *x, const void *y)
{
	const struct var *a = x, *b = y;
	size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
	int c = memcmp(a->s, b->s, n);

	return c ? c : a->name_len < b->name_len ? -1 : a->name_len > b->name_len;
}

/* ENV's variables sorted by name; a later duplicate name is what getenv(3) would not see, but is kept. */
static struct var *sorted_vars(const struct log_env *env)
{
	struct var *v = malloc(((size_t)env->nvars + 1) * sizeof(*v));

	if (!v)
		return NULL;
	for (uint32_t i = 0; i < env->nvars; i++)
		v[i] = (struct var){ env->vars[i], name_len(env->vars[i]) };
	qsort(v, env->nvars, sizeof(*v), var_cmp);
	return v;
}

/* The build directory (header cwd), or NULL. */
static const char *build_dir(const struct replay *r)
{
	const char *cwd = r->log->header.cwd;

	return cwd && cwd[0] == '/' && cwd[1] ? cwd : NULL;
}

/* VALUE with DIR as "." and make's jobserver fifo (/tmp/GMfifoPID) masked; appended at OUT. */
static char *put_value(char *out, const char *value, const char *dir)
{
	size_t n = dir ? strlen(dir) : 0;

	while (*value) {
		if (n && !strncmp(value, dir, n) && (value[n] == '/' || value[n] == ':' || !value[n])) {
			*out++ = '.';
			value += n;
		} else if (!strncmp(value, "/tmp/GMfifo", 11) && value[11] >= '0' && value[11] <= '9') {
			memcpy(out, value, 11);
			out += 11;
			value += 11;
			while (*value >= '0' && *value <= '9')
				value++;
			*out++ = 'N';
		} else {
			*out++ = *value++;
		}
	}
	return out;
}

/* "NAME\x1fVA\x1fVB" with normalised values (a missing one as "\x1e"). */
static char *change_key(const char *name, size_t nlen, const char *va, const char *da, const char *vb,
			const char *db)
{
	char *k = malloc(nlen + (va ? strlen(va) : 1) + (vb ? strlen(vb) : 1) + 4), *p = k;

	if (!k)
		return NULL;
	memcpy(p, name, nlen);
	p += nlen;
	*p++ = '\x1f';
	p = va ? put_value(p, va, da) : (*p = '\x1e', p + 1);
	*p++ = '\x1f';
	p = vb ? put_value(p, vb, db) : (*p = '\x1e', p + 1);
	*p = '\0';
	return k;
}

/* The change id of VA -> VB (either NULL for unset), or -1 when the values are the same after normalising. */
static long change_id(struct env_diff *e, const struct env_redact *rule, const char *va, const char *da,
		      const char *vb, const char *db)
{
	const char *any = va ? va : vb;
	size_t nlen = name_len(any);
	char *key = change_key(any, nlen, va ? va + nlen + !!va[nlen] : NULL, da,
			       vb ? vb + nlen + !!vb[nlen] : NULL, db);
	const char *ka, *kb;
	uint64_t h;

	if (!key)
		return -2;
	ka = key + nlen + 1;
	kb = strchr(ka, '\x1f') + 1;
	if (va && vb && strlen(kb) == (size_t)(kb - 1 - ka) && !memcmp(ka, kb, strlen(kb))) {
		free(key);
		return -1;
	}
	h = hash_bytes(key, strlen(key));
	for (uint32_t i = index_table_probe(&e->index, h); e->index.slots[i].id1; i = index_table_next(&e->index, i))
		if (index_table_same_hash(&e->index, i, h) && !strcmp(e->changes[e->index.slots[i].id1 - 1].key, key)) {
			free(key);
			return e->index.slots[i].id1 - 1;
		}
	if (grow_array((void **)&e->changes, &e->cap, (size_t)e->nchanges + 1, sizeof(*e->changes), 64) ||
	    index_table_insert(&e->index, h, e->nchanges)) {
		free(key);
		return -2;
	}
	e->changes[e->nchanges] = (struct env_change){ .a = va, .b = vb, .name_len = (uint32_t)nlen,
						       .example = REPLAY_NONE, .key = key,
						       .secret = env_redact_matches(rule, any, nlen) };
	return e->nchanges++;
}

static int add_id(struct env_diff *e, uint32_t id)
{
	if (grow_array((void **)&e->ids, &e->cap_ids, (size_t)e->nids + 1, sizeof(*e->ids), 64))
		return -1;
	e->ids[e->nids++] = id;
	return 0;
}

/* Appends the changes between A's and B's environments to e->ids (merge by name). */
static int compare(struct env_diff *e, const struct env_redact *rule, const struct log_env *ea, const char *da,
		   const struct log_env *eb, const char *db)
{
	struct var *va = sorted_vars(ea), *vb = sorted_vars(eb);
	uint32_t i = 0, j = 0;
	int r = va && vb ? 0 : -1;

	while (!r && (i < ea->nvars || j < eb->nvars)) {
		int c = i == ea->nvars ? 1 : j == eb->nvars ? -1 : var_cmp(&va[i], &vb[j]);
		const char *x = c <= 0 ? va[i].s : NULL, *y = c >= 0 ? vb[j].s : NULL;
		long id = x && y && !strcmp(x, y) ? -1 : change_id(e, rule, x, da, y, db);

		if (id == -2)
			r = -1;
		else if (id >= 0)
			r = add_id(e, (uint32_t)id);
		i += c <= 0;
		j += c >= 0;
	}
	free(va);
	free(vb);
	return r;
}

/* Matched pairs share their environments mostly: the last pair's result is reused when it is the same pair. */
int env_diff_run(struct env_diff *e, const struct replay *a, const struct replay *b, const uint32_t *partner)
{
	const struct log_env *last_a = NULL, *last_b = NULL;
	const struct log_header *h = &b->log->header;
	uint32_t last_first = 0, last_n = 0;
	struct env_redact rule;
	char err[128];

	memset(e, 0, sizeof(*e));
	env_redact_clear(&rule);
	for (uint32_t i = 0; i < h->nsecret_patterns; i++)
		env_redact_add(&rule, h->secret_patterns[i], err, sizeof(err));  /* a bad one cannot match */
	e->proc_first = calloc((size_t)b->nprocs + 1, sizeof(uint32_t));
	e->proc_n = calloc((size_t)b->nprocs + 1, sizeof(uint32_t));
	if (!e->proc_first || !e->proc_n || index_table_init(&e->index, 256))
		return -1;
	for (uint32_t p = 0; p < b->nprocs; p++) {
		const struct replay_exec *xb, *xa;

		if (partner[p] == REPLAY_NONE || !b->procs[p].own_exec || !a->procs[partner[p]].own_exec)
			continue;
		xb = &b->execs[b->procs[p].exec];
		xa = &a->execs[a->procs[partner[p]].exec];
		if (!xa->env || !xb->env)
			continue;
		e->compared++;
		if (xa->env != last_a || xb->env != last_b) {
			last_first = e->nids;
			if (compare(e, &rule, xa->env, build_dir(a), xb->env, build_dir(b)))
				return -1;
			last_n = e->nids - last_first;
			last_a = xa->env;
			last_b = xb->env;
		}
		e->proc_first[p] = last_first;
		e->proc_n[p] = last_n;
		for (uint32_t k = 0; k < last_n; k++) {
			struct env_change *c = &e->changes[e->ids[last_first + k]];

			c->commands++;
			if (c->example == REPLAY_NONE)
				c->example = p;
		}
	}
	return 0;
}

static const struct env_diff *rank_ctx;

static int by_explaining(const void *x, const void *y)
{
	const struct env_change *a = &rank_ctx->changes[*(const uint32_t *)x];
	const struct env_change *b = &rank_ctx->changes[*(const uint32_t *)y];

	if (a->alone != b->alone)
		return a->alone > b->alone ? -1 : 1;
	if (a->secret != b->secret)
		return a->secret ? 1 : -1;
	if (a->reaches != b->reaches)
		return a->reaches > b->reaches ? -1 : 1;
	if (a->commands != b->commands)
		return a->commands < b->commands ? -1 : 1;
	return strcmp(a->key, b->key);
}

int env_diff_rank(struct env_diff *e)
{
	e->rank = malloc(((size_t)e->nchanges + 1) * sizeof(*e->rank));
	if (!e->rank)
		return -1;
	for (uint32_t i = 0; i < e->nchanges; i++)
		e->rank[i] = i;
	rank_ctx = e;
	qsort(e->rank, e->nchanges, sizeof(*e->rank), by_explaining);
	rank_ctx = NULL;
	return 0;
}

void env_diff_free(struct env_diff *e)
{
	for (uint32_t i = 0; i < e->nchanges; i++)
		free(e->changes[i].key);
	free(e->changes);
	free(e->rank);
	free(e->proc_first);
	free(e->proc_n);
	free(e->ids);
	index_table_free(&e->index);
	memset(e, 0, sizeof(*e));
}
