// SPDX-License-Identifier: MIT
/*
 * Turin's TCB layout (FMC first) and a hardware-ID extension encoded as an
 * OCTET STRING of 8 bytes, which no public vector has: a test chain is made
 * here with the same extensions AMD's KDS puts into a Turin VCEK. Its root
 * is not AMD's, so only the checks that do not depend on the root are
 * asserted to pass.
 */
#include <stdint.h>

#include <openssl/evp.h>

#include "attest/sim.h"
#include "attest/snp_verify.h"
#include "check_lookup.h"
#include "testlib.h"

/* Turin TCB: FMC 1, bootloader 2, TEE 3, SNP 4, microcode 0x48 */
#define TURIN_TCB 0x4800000004030201ULL

/* Makes a Turin v5 report and a chain whose VCEK says TCB; verifies; fills L. */
static int run(const struct snp_tcb *tcb, bool same_chip, const char *leaf_cn, struct check_list *l,
	       struct snp_verified *v)
{
	EVP_PKEY *root_key = EVP_RSA_gen(2048), *inter_key = EVP_RSA_gen(2048), *leaf_key = EVP_EC_gen("P-384");
	struct snp_verify_opts o = { .now = time(NULL) };
	struct x509_list certs = { 0 };
	uint8_t raw[SNP_REPORT_SIZE] = { 0 }, chip[8] = { 0xc4, 0x1b, 0x7a, 0x11, 0x0e, 0x55, 0x90, 0x2f };
	/* hwid as a DER OCTET STRING holding Turin's 8-byte chip identifier */
	uint8_t hwid[10] = { 0x04, 0x08 };
	const struct sim_vcek_fields vcek = { .tcb = *tcb, .product = "Turin", .hwid = hwid, .hwid_len = sizeof(hwid) };
	X509 *root = NULL, *inter = NULL, *leaf = NULL;
	int rc = -1;

	raw[0] = 5;                     /* version */
	raw[0x08 + 2] = 0x03;           /* policy 0x30000 */
	raw[0x34] = 1;                  /* ECDSA P-384 SHA-384 */
	for (int i = 0; i < 8; i++)
		raw[0x180 + i] = (uint8_t)(TURIN_TCB >> (8 * i));
	raw[0x188] = 0x1A;              /* CPUID family: Turin */
	raw[0x189] = 0x02;
	memcpy(raw + 0x1A0, chip, 8);   /* Turin's CHIP_ID: 8 bytes, then zeros */
	memcpy(hwid + 2, chip, 8);
	if (!same_chip)
		raw[0x1A0] ^= 0xff;
	if (!root_key || !inter_key || !leaf_key)
		goto out;
	root = sim_make_cert("Test ARK-Turin", root_key, NULL, root_key, NULL);
	inter = root ? sim_make_cert("Test SEV-Turin", inter_key, root, root_key, NULL) : NULL;
	leaf = inter ? sim_make_cert(leaf_cn, leaf_key, inter, inter_key, &vcek) : NULL;
	if (!leaf || sim_sign_report(leaf_key, raw) < 0 || x509_list_add(&certs, leaf) < 0 ||
	    x509_list_add(&certs, inter) < 0 || x509_list_add(&certs, root) < 0)
		goto out;
	memset(l, 0, sizeof(*l));
	(void)snp_verify(raw, sizeof(raw), &certs, &o, l, v);
	rc = 0;
out:
	x509_list_free(&certs);
	X509_free(root);
	X509_free(inter);
	X509_free(leaf);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(inter_key);
	EVP_PKEY_free(leaf_key);
	return rc;
}

static int turin_tcb_with_fmc_and_short_hwid_match(void)
{
	static struct check_list l;
	static struct snp_verified v;
	const struct snp_tcb tcb = { .has_fmc = true, .fmc = 1, .bootloader = 2, .tee = 3, .snp = 4, .microcode = 0x48 };

	CHECK(run(&tcb, true, "SEV-VCEK", &l, &v) == 0, "made");
	CHECK(v.product == SNP_PRODUCT_TURIN, "product from CPUID: %s", snp_product_name(v.product));
	CHECK(test_check_passed(&l, "snp.report.signature"), "signature: %s", test_check_reason(&l, "snp.report.signature"));
	CHECK(test_check_passed(&l, "snp.vcek.tcb"), "tcb: %s", test_check_reason(&l, "snp.vcek.tcb"));
	CHECK(strstr(test_check_reason(&l, "snp.vcek.tcb"), "fmc"), "FMC compared: %s", test_check_reason(&l, "snp.vcek.tcb"));
	CHECK(test_check_passed(&l, "snp.vcek.hwid"), "hwid: %s", test_check_reason(&l, "snp.vcek.hwid"));
	CHECK(test_check_passed(&l, "snp.product"), "product: %s", test_check_reason(&l, "snp.product"));
	CHECK(test_check_failed(&l, "snp.chain.ark"), "a test root is no AMD ARK");
	return TEST_PASS;
}

static int turin_fmc_mismatch_fails_tcb(void)
{
	static struct check_list l;
	static struct snp_verified v;
	const struct snp_tcb tcb = { .has_fmc = true, .fmc = 2, .bootloader = 2, .tee = 3, .snp = 4, .microcode = 0x48 };

	CHECK(run(&tcb, true, "SEV-VCEK", &l, &v) == 0, "made");
	CHECK(test_check_failed(&l, "snp.vcek.tcb"), "FMC 2 certified, 1 reported");
	return TEST_PASS;
}

static int turin_other_chip_fails_hwid(void)
{
	static struct check_list l;
	static struct snp_verified v;
	const struct snp_tcb tcb = { .has_fmc = true, .fmc = 1, .bootloader = 2, .tee = 3, .snp = 4, .microcode = 0x48 };

	CHECK(run(&tcb, false, "SEV-VCEK", &l, &v) == 0, "made");
	CHECK(test_check_failed(&l, "snp.vcek.hwid"), "another chip's 8-byte ID");
	return TEST_PASS;
}

/* A certificate name is outside text: its line breaks must not forge lines of kettle verify's output. */
static int control_characters_of_a_name_stay_on_one_line(void)
{
	static struct check_list l;
	static struct snp_verified v;
	const struct snp_tcb tcb = { .has_fmc = true, .fmc = 1, .bootloader = 2, .tee = 3, .snp = 4, .microcode = 0x48 };

	CHECK(run(&tcb, true, "SEV-VCEK\nPASS  snp.chain.ark \x1b[32mforged", &l, &v) == 0, "made");
	CHECK(l.n > 0, "no checks");
	for (size_t i = 0; i < l.n; i++)
		CHECK(!strpbrk(l.items[i].reason, "\n\r\x1b"), "%s: control characters in its reason", l.items[i].name);
	CHECK(strstr(test_check_reason(&l, "snp.certs"), "SEV-VCEK?PASS"), "the name still shown: %s",
	      test_check_reason(&l, "snp.certs"));
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "turin_tcb_with_fmc_and_short_hwid_match", turin_tcb_with_fmc_and_short_hwid_match },
	{ "turin_fmc_mismatch_fails_tcb", turin_fmc_mismatch_fails_tcb },
	{ "turin_other_chip_fails_hwid", turin_other_chip_fails_hwid },
	{ "control_characters_of_a_name_stay_on_one_line", control_characters_of_a_name_stay_on_one_line },
};

TEST_MAIN("snp_turin", tests)
