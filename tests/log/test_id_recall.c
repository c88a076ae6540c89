// SPDX-License-Identifier: MIT
/* log/id_recall.h: what the log writer remembers of what it forgot. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log/id_recall.h"
#include "testlib.h"

static void fp_of(const struct id_recall *r, enum recall_kind kind, unsigned i, struct recall_fp *fp)
{
	char name[64];
	int n = snprintf(name, sizeof(name), "/src/dir%u/file%u.h", i % 97, i);

	id_recall_fingerprint(r, kind, name, (size_t)n, fp);
}

/* A million entries through every growth: each found under its id, and nothing else found. */
static int entries_survive_growth(void)
{
	struct id_recall r;
	struct recall_fp fp;
	unsigned wrong = 0, strangers = 0;

	CHECK(id_recall_init(&r, 64u << 20) == 0, "init");
	for (unsigned i = 0; i < 1000000; i++) {
		fp_of(&r, RECALL_STRING, i, &fp);
		CHECK(id_recall_add(&r, &fp, i * 3) == 0, "add %u", i);
	}
	for (unsigned i = 0; i < 1000000; i++) {
		fp_of(&r, RECALL_STRING, i, &fp);
		wrong += id_recall_find(&r, &fp) != i * 3;
		fp_of(&r, RECALL_STRING, i + 1000000, &fp);
		strangers += id_recall_find(&r, &fp) != UINT32_MAX;
		fp_of(&r, RECALL_SITE, i, &fp);   /* the same bytes as another kind */
		strangers += id_recall_find(&r, &fp) != UINT32_MAX;
	}
	id_recall_free(&r);
	CHECK(!wrong, "%u entries not found under their ids", wrong);
	CHECK(!strangers, "%u fingerprints never added were found", strangers);
	return TEST_PASS;
}

/* The slots never pass the budget: the add that would need more is -ENOSPC, and clearing makes room again. */
static int budget_then_clear(void)
{
	struct id_recall r;
	struct recall_fp fp;
	unsigned added = 0;
	int e = 0;

	CHECK(id_recall_init(&r, 1u << 20) == 0, "init");
	while (added < 1000000) {
		fp_of(&r, RECALL_SITE, added, &fp);
		e = id_recall_add(&r, &fp, added);
		if (e)
			break;
		added++;
	}
	CHECK(e == -ENOSPC, "no refusal within the budget: %d after %u", e, added);
	CHECK(id_recall_bytes(&r) <= (1u << 20), "%zu bytes of slots over a 1 MiB budget", id_recall_bytes(&r));
	CHECK(added >= (1u << 20) / 16 / 2, "only %u entries in 1 MiB of 16-byte slots", added);
	fp_of(&r, RECALL_SITE, 5, &fp);
	CHECK(id_recall_find(&r, &fp) == 5, "an entry within the budget is lost");
	id_recall_clear(&r);
	CHECK(id_recall_find(&r, &fp) == UINT32_MAX, "an entry survived the clearing");
	CHECK(id_recall_add(&r, &fp, 9) == 0 && id_recall_find(&r, &fp) == 9, "no room after clearing");
	id_recall_free(&r);
	return TEST_PASS;
}

/* Two recalls have different keys: a fingerprint is worth nothing outside its own log. */
static int each_recall_its_own_key(void)
{
	struct id_recall a, b;
	struct recall_fp x, y;

	CHECK(id_recall_init(&a, 1u << 20) == 0 && id_recall_init(&b, 1u << 20) == 0, "init");
	fp_of(&a, RECALL_STRING, 1, &x);
	fp_of(&b, RECALL_STRING, 1, &y);
	id_recall_free(&a);
	id_recall_free(&b);
	CHECK(memcmp(&x, &y, sizeof(x)), "two recalls fingerprint alike");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "entries_survive_growth", entries_survive_growth },
	{ "budget_then_clear", budget_then_clear },
	{ "each_recall_its_own_key", each_recall_its_own_key },
};

TEST_MAIN("id_recall", tests)
