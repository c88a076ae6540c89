// SPDX-License-Identifier: MIT
/* Verification policy: strict parsing, and each rule passing and failing on the facts it judges. */
#include "attest/policy.h"
#include "testlib.h"

#define MR_A "aa0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"
#define MR_B "bb0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002"

static uint8_t mr_a[48] = { 0xaa }, mr_b[48] = { 0xbb };
static uint8_t zero48[48], attrs_debug[8] = { 0x01 }, attrs_plain[8], svn[16] = { 3, 0, 4 };

static int parse_ok(const char *json, struct policy *p)
{
	char err[256];

	if (policy_parse(json, strlen(json), p, err, sizeof(err))) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	return 0;
}

static int parse_fails(const char *json, const char *needle)
{
	struct policy p;
	char err[256] = "";

	if (policy_parse(json, strlen(json), &p, err, sizeof(err)) == 0) {
		policy_free(&p);
		fprintf(stderr, "  accepted: %s\n", json);
		return TEST_FAIL;
	}
	if (!strstr(err, needle)) {
		fprintf(stderr, "  error '%s' does not say '%s'\n", err, needle);
		return TEST_FAIL;
	}
	return TEST_PASS;
}

static struct policy_facts snp_facts(void)
{
	mr_a[47] = 1;
	return (struct policy_facts){
		.platform = PLATFORM_SEV_SNP, .measurement = mr_a, .guest_policy = 0x30000, .vmpl = 0,
		.tcb = { 2, 0, 5, 68, -1 },
	};
}

static struct policy_facts tdx_facts(void)
{
	return (struct policy_facts){
		.platform = PLATFORM_TDX, .mrtd = mr_b, .rtmr = { zero48, zero48, zero48, zero48 },
		.td_attributes = attrs_plain, .tee_tcb_svn = svn,
	};
}

static const struct check_result missing = { .name = "missing", .reason = "(no such check)" };

/* The check NAME, or a failed placeholder: a missing check fails the test, never crashes it. */
static const struct check_result *find(const struct check_list *l, const char *name)
{
	const struct check_result *c = check_find(l, name);

	return c ? c : &missing;
}

static const char *first_failure(const struct check_list *l)
{
	const struct check_result *c = check_first_failure(l);

	return c ? c->reason : "(no checks)";
}

static int test_empty_policy_still_forbids_debug(void)
{
	struct policy p;
	struct check_list l = { 0 };
	struct policy_facts f = snp_facts();

	CHECK(parse_ok("{}", &p) == 0, "parse");
	f.guest_policy |= 1ull << 19;
	policy_check(&p, &f, &l);
	CHECK(find(&l, "policy.snp.debug") != &missing && !find(&l, "policy.snp.debug")->passed, "debug guest passed");
	CHECK(strstr(find(&l, "policy.snp.debug")->reason, "bit 19"), "%s", find(&l, "policy.snp.debug")->reason);
	CHECK(find(&l, "policy.snp.measurement") == &missing, "measurement checked without a rule");
	policy_free(&p);
	return TEST_PASS;
}

static int test_snp_measurement(void)
{
	struct policy p;
	struct check_list l = { 0 }, l2 = { 0 };
	struct policy_facts f = snp_facts();

	CHECK(parse_ok("{\"snp\": {\"measurements\": [\"" MR_B "\", \"" MR_A "\"]}}", &p) == 0, "parse");
	policy_check(&p, &f, &l);
	CHECK(find(&l, "policy.snp.measurement")->passed, "%s", find(&l, "policy.snp.measurement")->reason);
	f.measurement = zero48;
	policy_check(&p, &f, &l2);
	CHECK(!find(&l2, "policy.snp.measurement")->passed, "unknown measurement passed");
	CHECK(strstr(find(&l2, "policy.snp.measurement")->reason, "not among the 2 allowed"), "%s",
	      find(&l2, "policy.snp.measurement")->reason);
	policy_free(&p);
	return TEST_PASS;
}

static int test_snp_min_tcb_and_vmpl(void)
{
	struct policy p;
	struct check_list ok = { 0 }, bad = { 0 };
	struct policy_facts f = snp_facts();

	CHECK(parse_ok("{\"snp\": {\"min_tcb\": {\"bootloader\": 2, \"snp\": 5, \"microcode\": 68}, \"max_vmpl\": 0}}", &p) == 0, "parse");
	policy_check(&p, &f, &ok);
	CHECK(check_all_passed(&ok), "%s", first_failure(&ok));
	f.tcb.microcode = 67;
	f.vmpl = 2;
	policy_check(&p, &f, &bad);
	CHECK(!find(&bad, "policy.snp.min_tcb")->passed &&
	      strstr(find(&bad, "policy.snp.min_tcb")->reason, "microcode SVN 67 is below the minimum 68"),
	      "%s", find(&bad, "policy.snp.min_tcb")->reason);
	CHECK(!find(&bad, "policy.snp.vmpl")->passed, "VMPL 2 passed a maximum of 0");
	policy_free(&p);
	return TEST_PASS;
}

static int test_fmc_minimum_on_a_product_without_fmc(void)
{
	struct policy p;
	struct check_list l = { 0 };
	struct policy_facts f = snp_facts();

	CHECK(parse_ok("{\"snp\": {\"min_tcb\": {\"fmc\": 1}}}", &p) == 0, "parse");
	policy_check(&p, &f, &l);
	CHECK(!find(&l, "policy.snp.min_tcb")->passed, "an fmc minimum passed a Milan TCB");
	policy_free(&p);
	return TEST_PASS;
}

static int test_tdx_rules(void)
{
	struct policy p;
	struct check_list ok = { 0 }, bad = { 0 };
	struct policy_facts f = tdx_facts();

	CHECK(parse_ok("{\"tdx\": {\"mrtd\": [\"" MR_B "\"], \"min_tee_tcb_svn\": \"03000400000000000000000000000000\"}}", &p) == 0, "parse");
	mr_b[47] = 2;
	policy_check(&p, &f, &ok);
	CHECK(check_all_passed(&ok), "%s", first_failure(&ok));
	f.mrtd = mr_a;
	f.td_attributes = attrs_debug;
	svn[2] = 3;
	policy_check(&p, &f, &bad);
	svn[2] = 4;
	CHECK(!find(&bad, "policy.tdx.mrtd")->passed, "wrong MRTD passed");
	CHECK(!find(&bad, "policy.tdx.debug")->passed, "debug TD passed");
	CHECK(!find(&bad, "policy.tdx.min_tee_tcb_svn")->passed, "low SVN passed");
	policy_free(&p);
	return TEST_PASS;
}

static int test_platform_simulated_nonce(void)
{
	struct policy p;
	struct check_list l = { 0 };
	struct policy_facts f = snp_facts();

	CHECK(parse_ok("{\"allowed_platforms\": [\"tdx\"], \"require_nonce\": true}", &p) == 0, "parse");
	f.platform = PLATFORM_SIM_SEV_SNP;
	f.simulated = true;
	policy_check(&p, &f, &l);
	CHECK(!find(&l, "policy.platform")->passed, "sim passed a tdx-only policy");
	CHECK(!find(&l, "policy.simulated")->passed, "simulated passed without allow_simulated");
	CHECK(!find(&l, "policy.nonce")->passed && strstr(find(&l, "policy.nonce")->reason, "--nonce"),
	      "missing nonce passed");
	policy_free(&p);
	return TEST_PASS;
}

/* Rules for one platform must not let the other platform's evidence through unjudged. */
static int test_rules_for_one_platform_reject_the_other(void)
{
	struct policy p;
	struct check_list tdx = { 0 }, snp = { 0 }, any = { 0 };
	struct policy_facts t = tdx_facts(), f = snp_facts();

	CHECK(parse_ok("{\"snp\": {\"measurements\": [\"" MR_A "\"]}}", &p) == 0, "parse");
	policy_check(&p, &t, &tdx);
	CHECK(!find(&tdx, "policy.platform")->passed, "TDX evidence passed a policy with only SNP rules");
	CHECK(strstr(find(&tdx, "policy.platform")->reason, "allowed_platforms"), "%s",
	      find(&tdx, "policy.platform")->reason);
	policy_check(&p, &f, &snp);
	CHECK(check_all_passed(&snp), "%s", first_failure(&snp));
	policy_free(&p);
	CHECK(parse_ok("{\"allowed_platforms\": [\"sev-snp\", \"tdx\"], \"snp\": {}}", &p) == 0, "parse");
	policy_check(&p, &t, &any);
	CHECK(check_all_passed(&any), "listed platform refused: %s", first_failure(&any));
	policy_free(&p);
	return TEST_PASS;
}

static int test_bad_policies(void)
{
	CHECK(parse_fails("", "invalid JSON") == TEST_PASS, "empty");
	CHECK(parse_fails("[1]", "must be a JSON object") == TEST_PASS, "array");
	CHECK(parse_fails("{\"allow_simulate\": true}", "unknown key 'allow_simulate'") == TEST_PASS, "typo");
	CHECK(parse_fails("{\"snp\": {\"measurment\": []}}", "unknown key 'snp.measurment'") == TEST_PASS, "nested typo");
	CHECK(parse_fails("{\"snp\": {\"min_tcb\": {\"ucode\": 1}}}", "unknown key 'snp.min_tcb.ucode'") == TEST_PASS, "tcb typo");
	CHECK(parse_fails("{\"snp\": {\"measurements\": [\"abcd\"]}}", "'snp.measurements'[0]: expected 96 hex digits") == TEST_PASS, "short");
	CHECK(parse_fails("{\"snp\": {\"max_vmpl\": 4}}", "from 0 to 3") == TEST_PASS, "vmpl");
	CHECK(parse_fails("{\"snp\": {\"allow_debug\": \"no\"}}", "must be true or false") == TEST_PASS, "bool");
	CHECK(parse_fails("{\"allowed_platforms\": [\"sgx\"]}", "'allowed_platforms'[0]") == TEST_PASS, "platform");
	CHECK(parse_fails("{\"snp\\n\\u001b[0m\": 1}", "unknown key 'snp??[0m'") == TEST_PASS,
	      "a key's control characters reach the one-line error");
	CHECK(parse_fails("{\"require_nonce\": true, \"require_nonce\": false}", "duplicate") == TEST_PASS, "dup");
	CHECK(parse_fails("{\"tdx\": {\"min_tee_tcb_svn\": 3}}", "32 hex digits") == TEST_PASS, "svn");
	CHECK(parse_fails("{\"tdx\": []}", "'tdx' must be an object") == TEST_PASS, "tdx type");
	return TEST_PASS;
}

static int test_too_many_measurements(void)
{
	size_t n = POLICY_LIST_MAX + 1, cap = n * 100 + 64;
	char *json = malloc(cap), *p = json;
	int r;

	CHECK(json, "malloc");
	p += sprintf(p, "{\"snp\": {\"measurements\": [");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s\"%s\"", i ? "," : "", MR_A);
	sprintf(p, "]}}");
	r = parse_fails(json, "more than 256 entries");
	free(json);
	return r;
}

static int test_truncated_and_oversized(void)
{
	size_t n = POLICY_FILE_MAX + 1;
	char *big = malloc(n), err[256];
	struct policy p;
	int r;

	CHECK(parse_fails("{\"snp\": {\"measurements\": [", "invalid JSON") == TEST_PASS, "truncated");
	CHECK(big, "malloc");
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	r = policy_parse(big, n, &p, err, sizeof(err));
	free(big);
	CHECK(r < 0 && strstr(err, "larger than the limit"), "%s", err);
	return TEST_PASS;
}

static int test_missing_policy_file(void)
{
	struct policy p;
	char err[256];

	CHECK(policy_load("/nonexistent/policy.json", &p, err, sizeof(err)) < 0, "loaded nothing");
	CHECK(strstr(err, "/nonexistent/policy.json"), "%s", err);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "empty_policy_still_forbids_debug", test_empty_policy_still_forbids_debug },
	{ "snp_measurement", test_snp_measurement },
	{ "snp_min_tcb_and_vmpl", test_snp_min_tcb_and_vmpl },
	{ "fmc_minimum_on_a_product_without_fmc", test_fmc_minimum_on_a_product_without_fmc },
	{ "tdx_rules", test_tdx_rules },
	{ "platform_simulated_nonce", test_platform_simulated_nonce },
	{ "rules_for_one_platform_reject_the_other", test_rules_for_one_platform_reject_the_other },
	{ "bad_policies", test_bad_policies },
	{ "too_many_measurements", test_too_many_measurements },
	{ "truncated_and_oversized", test_truncated_and_oversized },
	{ "missing_policy_file", test_missing_policy_file },
};

TEST_MAIN("policy", tests)
