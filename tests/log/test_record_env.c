// SPDX-License-Identifier: MIT
/*
 * Decoding the environment of an exec from raw kernel records (bpf/events.h):
 * pieces joined, secrets hashed before the event exists, whole strings only,
 * the count bound, a lost piece flagged, --env none.
 */
#include "log/record_decode.h"
#include "testlib.h"

static uint8_t buf[sizeof(struct ke_exec_argv) + KE_ARGV_CHUNK];

static void header(struct ke_header *h, uint16_t type, uint32_t size)
{
	memset(h, 0, sizeof(*h));
	h->abi = KETTLE_ABI_VERSION;
	h->type = type;
	h->size = size;
	h->tgid = h->tid = 42;
}

/* Feeds ENV[OFF..OFF+LEN) as one KE_EXEC_ENV piece at offset OFF; 1 expected (no event). */
static int piece(struct record_decoder *d, const char *env, uint32_t off, uint32_t len)
{
	struct ke_exec_argv *p = (void *)buf;
	struct log_event ev;

	header(&p->h, KE_EXEC_ENV, sizeof(*p) + len);
	p->offset = off;
	p->len = len;
	memcpy(p + 1, env + off, len);
	return record_decode(d, p, p->h.size, &ev);
}

/* The exec record that follows pieces of TOTAL bytes in CHUNKS, for ENVC strings with FLAGS. */
static int exec_record(struct record_decoder *d, uint32_t envc, uint32_t total, uint16_t chunks, uint16_t flags,
		       struct log_event *ev)
{
	struct ke_exec r;

	memset(&r, 0, sizeof(r));
	header(&r.h, KE_EXEC, sizeof(r));
	r.envc = envc;
	r.env_total = total;
	r.env_chunks = chunks;
	r.env_flags = flags;
	return record_decode(d, &r, sizeof(r), ev);
}

static struct record_decoder *decoder(void)
{
	struct record_decoder *d = malloc(sizeof(*d));

	if (d)
		record_decoder_init(d, NULL);
	return d;
}

static int test_secret_hashed_in_decoder(void)
{
	static const char env[] = "FOO=bar\0GITHUB_TOKEN=secret\0";
	struct record_decoder *d = decoder();
	struct log_event ev;
	const struct log_env *e;

	CHECK(d && piece(d, env, 0, sizeof(env) - 1) == 1, "piece");
	CHECK(exec_record(d, 2, sizeof(env) - 1, 1, 0, &ev) == 0, "exec");
	e = ev.exec.env;
	CHECK(e && e->nvars == 2 && e->envc == 2 && e->flags == 0, "env of %u", e ? e->nvars : 0);
	CHECK(!strcmp(e->vars[0], "FOO=bar"), "%s", e->vars[0]);
	CHECK(!strcmp(e->vars[1], "GITHUB_TOKEN=sha256:2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"),
	      "%s", e->vars[1]);
	CHECK(!memmem(d, sizeof(*d), "secret", 6), "the clear value is still in the decoder");
	record_decoder_release(d);
	free(d);
	return TEST_PASS;
}

/* Cut at the byte bound: the string without its NUL is left out, not kept half. */
static int test_partial_string_dropped(void)
{
	static const char env[] = "A=1\0B=2\0PATH=/usr/b";
	struct record_decoder *d = decoder();
	struct log_event ev;

	CHECK(d && piece(d, env, 0, sizeof(env) - 1) == 1, "piece");
	CHECK(exec_record(d, 3, sizeof(env) - 1, 1, KE_ENV_CUT_BYTES, &ev) == 0, "exec");
	CHECK(ev.exec.env->nvars == 2 && (ev.exec.env->flags & LOG_ENV_CUT_BYTES), "%u vars, flags 0x%x",
	      ev.exec.env->nvars, ev.exec.env->flags);
	record_decoder_release(d);
	free(d);
	return TEST_PASS;
}

static int test_count_bound(void)
{
	static char env[KE_ENV_VARS_MAX * 8 + 64];
	struct record_decoder *d = decoder();
	struct log_event ev;
	uint32_t len = 0, chunks = 0;

	for (int i = 0; i < KE_ENV_VARS_MAX + 10; i++)
		len += (uint32_t)snprintf(env + len, sizeof(env) - len, "V%d=x", i) + 1;
	CHECK(d && len <= sizeof(env), "env built");
	for (uint32_t off = 0; off < len; off += KE_ARGV_CHUNK, chunks++)
		CHECK(piece(d, env, off, len - off < KE_ARGV_CHUNK ? len - off : KE_ARGV_CHUNK) == 1, "piece");
	CHECK(exec_record(d, KE_ENV_VARS_MAX + 10, len, (uint16_t)chunks, KE_ENV_CUT_COUNT, &ev) == 0, "exec");
	CHECK(ev.exec.env->nvars == KE_ENV_VARS_MAX && (ev.exec.env->flags & LOG_ENV_CUT_COUNT),
	      "%u vars, flags 0x%x", ev.exec.env->nvars, ev.exec.env->flags);
	CHECK(!strcmp(ev.exec.env->vars[KE_ENV_VARS_MAX - 1], "V511=x"), "last kept: %s",
	      ev.exec.env->vars[KE_ENV_VARS_MAX - 1]);
	record_decoder_release(d);
	free(d);
	return TEST_PASS;
}

/* The second of two pieces never came: flagged lost, what came is kept. */
static int test_lost_piece(void)
{
	static char env[2 * KE_ARGV_CHUNK];
	struct record_decoder *d = decoder();
	struct log_event ev;

	memset(env, 'x', sizeof(env));
	memcpy(env, "A=1", 4);
	env[KE_ARGV_CHUNK - 1] = '\0';
	env[sizeof(env) - 1] = '\0';
	CHECK(d && piece(d, env, 0, KE_ARGV_CHUNK) == 1, "piece");
	CHECK(exec_record(d, 3, sizeof(env), 2, 0, &ev) == 0, "exec");
	CHECK(ev.exec.env->flags & LOG_ENV_CUT_LOST, "not flagged lost: 0x%x", ev.exec.env->flags);
	CHECK(ev.exec.env->nvars == 2 && !strcmp(ev.exec.env->vars[0], "A=1"), "%u vars", ev.exec.env->nvars);
	record_decoder_release(d);
	free(d);
	return TEST_PASS;
}

static int test_env_off(void)
{
	struct record_decoder *d = decoder();
	struct log_event ev;

	CHECK(d && exec_record(d, 7, 0, 0, KE_ENV_OFF, &ev) == 0, "exec");
	CHECK(!ev.exec.env, "an environment with --env none");
	record_decoder_release(d);
	free(d);
	return TEST_PASS;
}

static int test_oversized_total(void)
{
	struct record_decoder *d = decoder();
	struct log_event ev;

	CHECK(d && exec_record(d, 1, KE_ENV_MAX + 1, 9, 0, &ev) == -EINVAL, "accepted env_total past KE_ENV_MAX");
	record_decoder_release(d);
	free(d);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "secret_hashed_in_decoder", test_secret_hashed_in_decoder },
	{ "partial_string_dropped", test_partial_string_dropped },
	{ "count_bound", test_count_bound },
	{ "lost_piece", test_lost_piece },
	{ "env_off", test_env_off },
	{ "oversized_total", test_oversized_total },
};

TEST_MAIN("record_env", tests)
