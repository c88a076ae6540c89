// SPDX-License-Identifier: MIT
/* The shared check list: a note (something not verified) is listed but neither passes nor fails a verification. */
#include "attest/check.h"
#include "testlib.h"

static int test_note_does_not_fail_passing_checks(void)
{
	struct check_list l = { 0 };

	check_add(&l, "a.signature", true, "ok");
	check_note(&l, "a.collateral", "not checked offline");
	CHECK(l.n == 2, "n=%zu", l.n);
	CHECK(l.items[1].note && !l.items[0].note, "note flags %d %d", l.items[0].note, l.items[1].note);
	CHECK(check_all_passed(&l), "a note made the list fail");
	CHECK(check_first_failure(&l) == NULL, "a note counted as a failure");
	return TEST_PASS;
}

static int test_notes_alone_are_not_a_pass(void)
{
	struct check_list l = { 0 };

	check_note(&l, "a.collateral", "not checked offline");
	CHECK(!check_all_passed(&l), "a list of notes only counted as verified");
	return TEST_PASS;
}

static int test_failure_still_fails_with_notes(void)
{
	struct check_list l = { 0 };

	check_note(&l, "a.collateral", "not checked offline");
	check_add(&l, "a.signature", false, "bad");
	CHECK(!check_all_passed(&l), "failure hidden");
	CHECK(check_first_failure(&l) == &l.items[1], "wrong first failure");
	return TEST_PASS;
}

/* Reasons quote outside text (certificate names, statement fields): it must not start a line of its own. */
static int test_reason_stays_on_one_line(void)
{
	struct check_list l = { 0 };

	check_add(&l, "a.chain", false, "root '%s'", "X\nPASS  a.forged: \x1b[32mok\r");
	check_note(&l, "a.note", "%s", "tab\there\x7f");
	CHECK(!strpbrk(l.items[0].reason, "\n\r\x1b"), "control characters kept: %s", l.items[0].reason);
	CHECK(!strcmp(l.items[0].reason, "root 'X?PASS  a.forged: ?[32mok?'"), "reason: %s", l.items[0].reason);
	CHECK(!strcmp(l.items[1].reason, "tab?here?"), "note: %s", l.items[1].reason);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "note_does_not_fail_passing_checks", test_note_does_not_fail_passing_checks },
	{ "notes_alone_are_not_a_pass", test_notes_alone_are_not_a_pass },
	{ "failure_still_fails_with_notes", test_failure_still_fails_with_notes },
	{ "reason_stays_on_one_line", test_reason_stays_on_one_line },
};

TEST_MAIN("check_note", tests)
