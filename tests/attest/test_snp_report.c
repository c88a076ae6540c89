// SPDX-License-Identifier: MIT
/* SEV-SNP report parsing: the real reports of the vectors in tests/data/vectors read back field by field, and broken input. */
#include <stdint.h>

#include "attest/snp_report.h"
#include "common/hex.h"
#include "test_vectors.h"
#include "testlib.h"

struct expected {
	const char *file;
	uint32_t version, guest_svn, vmpl, signature_algo, signer_info;
	uint64_t policy, current_tcb, platform_info, reported_tcb, committed_tcb, launch_tcb;
	uint64_t launch_mit, current_mit;
	const char *family_id, *image_id, *report_data, *measurement, *host_data, *id_key_digest,
		   *author_key_digest, *report_id, *report_id_ma, *chip_id, *sig_r48, *sig_s48;
	uint8_t cpuid[3];
	uint8_t current[3], committed[3];       /* build, minor, major */
};

/* Field values of the vectors (VECTORS.md: see tests/data/vectors/README.md). */
static const struct expected vectors[] = {
	{
		.file = "snp/gosev_attestation.bin",
		.version = 2, .guest_svn = 0, .policy = 0xb0000ULL, .vmpl = 0, .signature_algo = 1,
		.family_id = "00000000000000000000000000000000", .image_id = "00000000000000000000000000000000",
		.current_tcb = 0x4405000000000002ULL, .platform_info = 0x1ULL, .signer_info = 0x0,
		.report_data = "01020304050000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
		.measurement = "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01",
		.host_data = "0000000000000000000000000000000000000000000000000000000000000000",
		.id_key_digest = "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
		.author_key_digest = "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
		.report_id = "8edc638e1857c555d21f6b11bda3c8b1b5a09dba4852b4c8ee7aa2f16f22cc0a",
		.report_id_ma = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		.reported_tcb = 0x4405000000000002ULL, .cpuid = { 0x0, 0x0, 0x0 },
		.chip_id = "3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d",
		.committed_tcb = 0x4405000000000002ULL, .current = { 3, 49, 1 }, .committed = { 3, 49, 1 },
		.launch_tcb = 0x4405000000000002ULL, .launch_mit = 0x0ULL, .current_mit = 0x0ULL,
		.sig_r48 = "4f8e8b5ab8f8f969ca4f27b6bba65faa5313ae72f66b893874bce5d62d3b08babb321ac2c990a5d24b50a232999cc821",
		.sig_s48 = "e689246ba09566b6b6f91c3004a15f8f34bd65020b7e16f447f876428bd7e90adb2c157fc9311becf6119498555d10e0",
	},
	{
		.file = "snp/virtee_report_milan.hex",
		.version = 2, .guest_svn = 0, .policy = 0x30000ULL, .vmpl = 0, .signature_algo = 1,
		.family_id = "00000000000000000000000000000000", .image_id = "00000000000000000000000000000000",
		.current_tcb = 0x7308000000000003ULL, .platform_info = 0x1ULL, .signer_info = 0x0,
		.report_data = "d447b55d197491bfe15cf298f9de9986b7a7c4be2468b4f6e2d53b71d7c645810b0f2cdfca0040433be063fc1a8293f0f3f8dae7b79fecb3d1cd82bd6a93ebfd",
		.measurement = "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f",
		.host_data = "0000000000000000000000000000000000000000000000000000000000000000",
		.id_key_digest = "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
		.author_key_digest = "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
		.report_id = "92b3b47d59f0a2a10a74c5678868a80238cf593c01a82f3cffb878e904c28d5b",
		.report_id_ma = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		.reported_tcb = 0x7308000000000003ULL, .cpuid = { 0x0, 0x0, 0x0 },
		.chip_id = "d49554ec717f4e5b0fe6b143bcf0405bd7ae304727edf46603f2a76aef6a3abc15d7af38db757039029f0efacfd08e244324884738c72b082e2f87a44d541eb6",
		.committed_tcb = 0x7308000000000003ULL, .current = { 4, 52, 1 }, .committed = { 4, 52, 1 },
		.launch_tcb = 0x7308000000000003ULL, .launch_mit = 0x0ULL, .current_mit = 0x0ULL,
		.sig_r48 = "61ab4f11aa661997625f233df42a4ad54440eeb7a96ea63de170cbc29c37c005cb54054881ec7d2bee569b02d07f8272",
		.sig_s48 = "209d7eb9be919a1d0baf1d57fe6ebfeabbc53b778c6e977e40b15ca931bb6d44c5ab9e30cfdc7346cb41ac083b90bf49",
	},
	{
		.file = "snp/trustee_test-vlek-report.bin",
		.version = 3, .guest_svn = 0, .policy = 0x30000ULL, .vmpl = 1, .signature_algo = 1,
		.family_id = "00000000000000000000000000000000", .image_id = "00000000000000000000000000000000",
		.current_tcb = 0xdc18000000000004ULL, .platform_info = 0x27ULL, .signer_info = 0x4,
		.report_data = "819770b7e6ea6df8dd8fd4dd146b073c0bf4f3ce5b0977ecac486e3a05ed1bd54e2a7ac1f5d1ca02e7d7d5ef9f73b8574fd9359e3a480d741a4478e8a7bc27ca",
		.measurement = "8922ebbdd00ec2c541f36a6e7a82a8773a7accb451ed67bc94e740dbe92c93c4e8c9af857f5ceeb5a493df2a570d7bf0",
		.host_data = "0000000000000000000000000000000000000000000000000000000000000000",
		.id_key_digest = "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
		.author_key_digest = "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
		.report_id = "62e04fba700afd93b3a0cc0649b633ee36587fa8a8c2eb5d9b7cd7bc5f4bb057",
		.report_id_ma = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		.reported_tcb = 0xd918000000000004ULL, .cpuid = { 0x19, 0x1, 0x1 },
		.chip_id = "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
		.committed_tcb = 0xdb18000000000004ULL, .current = { 29, 55, 1 }, .committed = { 29, 55, 1 },
		.launch_tcb = 0xdb18000000000004ULL, .launch_mit = 0x0ULL, .current_mit = 0x0ULL,
		.sig_r48 = "bc5688f13b2d3df6fef925555ceacf9fe31dc94c5eb4014e07fa2bbe2f14ae90213bf0e584416f0fdf9c22ee7c94445f",
		.sig_s48 = "e0fb397a86fad16bc2bc91f1e73e4140b78a3a89b9bb1c11b94bdb3753f9cd5d26cfce131c56f418e14ac2e6cd0bc4c2",
	},
	{
		.file = "snp/mstav_genoa_attestation_report.bin",
		.version = 3, .guest_svn = 2, .policy = 0x3001fULL, .vmpl = 0, .signature_algo = 1,
		.family_id = "01000000000000000000000000000000", .image_id = "02000000000000000000000000000000",
		.current_tcb = 0x541700000000000aULL, .platform_info = 0x27ULL, .signer_info = 0x0,
		.report_data = "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
		.measurement = "5feee30d6d7e1a29f403d70a4198237ddfb13051a2d6976439487c609388ed7f98189887920ab2fa0096903a0c23fca1",
		.host_data = "4f4448c67f3c8dfc8de8a5e37125d807dadcc41f06cf23f615dbd52eec777d10",
		.id_key_digest = "0ad79ceb0b648b0e6a90d8aa9f6ea24c33a968b6632085353145e8b19a4741a2dab9ba342e13be4fc0d225e889cc1a58",
		.author_key_digest = "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
		.report_id = "c840e4fc01bec5121388abbf2e850c5b1d482adab7a4b06c4d93028c56599429",
		.report_id_ma = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		.reported_tcb = 0x541700000000000aULL, .cpuid = { 0x19, 0x11, 0x1 },
		.chip_id = "b1e24a27bbc3a4d58090d8b89851dce3b8031544be249b9ac17132bb222b027622347ee4d0fe4f689efdfc47a68cefc686cbb448d01436506ee1e28010cab7c0",
		.committed_tcb = 0x541700000000000aULL, .current = { 40, 55, 1 }, .committed = { 40, 55, 1 },
		.launch_tcb = 0x541700000000000aULL, .launch_mit = 0x0ULL, .current_mit = 0x0ULL,
		.sig_r48 = "64e80f5b0f231b2d5e5c36ad8d347507b1faad4a28982bfea12dd6a1d36e05b4e28f4fd86fc2cf93379418327a2c4c42",
		.sig_s48 = "c81a42207120f35ecf3ac1b64673b080b4c27b6b3d471c17aea8d9b5cfd7f56138df672d51a141a739da89c28787c729",
	},
};

static int hex_is(const char *what, const uint8_t *p, size_t n, const char *want)
{
	char hex[2 * 64 + 1];

	hex_encode(p, n, hex);
	if (strcmp(hex, want)) {
		fprintf(stderr, "  %s: %s, expected %s\n", what, hex, want);
		return -1;
	}
	return 0;
}

static int load(const char *name, struct snp_report *r)
{
	uint8_t raw[SNP_REPORT_SIZE];
	char err[256];

	if (snp_report_load_file(test_vector_path(name), raw, err, sizeof(err)) < 0 ||
	    snp_report_parse(raw, sizeof(raw), r, err, sizeof(err)) < 0) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	return 0;
}

static int every_vector_reads_back_exactly(void)
{
	static struct snp_report r;

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct expected *e = &vectors[i];
		int bad = 0;

		CHECK(load(e->file, &r) == 0, "%s loads", e->file);
		CHECK(r.version == e->version && r.guest_svn == e->guest_svn && r.policy == e->policy &&
		      r.vmpl == e->vmpl && r.signature_algo == e->signature_algo &&
		      r.signer_info == e->signer_info, "%s: scalar header fields", e->file);
		CHECK(r.current_tcb == e->current_tcb && r.reported_tcb == e->reported_tcb &&
		      r.committed_tcb == e->committed_tcb && r.launch_tcb == e->launch_tcb &&
		      r.platform_info == e->platform_info, "%s: TCBs / platform_info", e->file);
		CHECK(r.launch_mit_vector == e->launch_mit && r.current_mit_vector == e->current_mit,
		      "%s: mitigation vectors", e->file);
		CHECK(r.cpuid_fam_id == e->cpuid[0] && r.cpuid_mod_id == e->cpuid[1] &&
		      r.cpuid_step == e->cpuid[2], "%s: cpuid", e->file);
		CHECK(r.current_build == e->current[0] && r.current_minor == e->current[1] &&
		      r.current_major == e->current[2] && r.committed_build == e->committed[0] &&
		      r.committed_minor == e->committed[1] && r.committed_major == e->committed[2],
		      "%s: firmware versions", e->file);
		bad |= hex_is("family_id", r.family_id, 16, e->family_id);
		bad |= hex_is("image_id", r.image_id, 16, e->image_id);
		bad |= hex_is("report_data", r.report_data, 64, e->report_data);
		bad |= hex_is("measurement", r.measurement, 48, e->measurement);
		bad |= hex_is("host_data", r.host_data, 32, e->host_data);
		bad |= hex_is("id_key_digest", r.id_key_digest, 48, e->id_key_digest);
		bad |= hex_is("author_key_digest", r.author_key_digest, 48, e->author_key_digest);
		bad |= hex_is("report_id", r.report_id, 32, e->report_id);
		bad |= hex_is("report_id_ma", r.report_id_ma, 32, e->report_id_ma);
		bad |= hex_is("chip_id", r.chip_id, 64, e->chip_id);
		bad |= hex_is("sig R", r.sig_r, 48, e->sig_r48);
		bad |= hex_is("sig S", r.sig_s, 48, e->sig_s48);
		CHECK(!bad, "%s: byte fields", e->file);
	}
	return TEST_PASS;
}

static int signer_info_decoded(void)
{
	static struct snp_report r;

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load("snp/trustee_test-vlek-report.bin", &r) == 0, "load");
	CHECK(r.signing_key == SNP_SIGNING_KEY_VLEK && !r.mask_chip_key && !r.author_key_en, "VLEK report");
	CHECK(load("snp/gosev_attestation.bin", &r) == 0, "load");
	CHECK(r.signing_key == SNP_SIGNING_KEY_VCEK, "VCEK report");
	return TEST_PASS;
}

static int product_from_cpuid(void)
{
	static struct snp_report r;

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load("snp/mstav_genoa_attestation_report.bin", &r) == 0, "load");
	CHECK(snp_report_cpuid_product(&r) == SNP_PRODUCT_GENOA, "Genoa 0x19/0x11");
	CHECK(load("snp/trustee_test-vlek-report.bin", &r) == 0, "load");
	CHECK(snp_report_cpuid_product(&r) == SNP_PRODUCT_MILAN, "Milan 0x19/0x01");
	r.cpuid_fam_id = 0x1A;
	r.cpuid_mod_id = 0x02;
	CHECK(snp_report_cpuid_product(&r) == SNP_PRODUCT_TURIN, "Turin 0x1A/0x02");
	r.cpuid_fam_id = 0x17;
	CHECK(snp_report_cpuid_product(&r) == SNP_PRODUCT_UNKNOWN, "Zen 2 is no SNP product");
	CHECK(load("snp/gosev_attestation.bin", &r) == 0, "load");
	CHECK(snp_report_cpuid_product(&r) == SNP_PRODUCT_UNKNOWN, "version 2 has no CPUID");
	return TEST_PASS;
}

static int tcb_layouts_per_product(void)
{
	struct snp_tcb t;

	/* VECTORS.md: 0x4405000000000002 = BL 2, TEE 0, SNP 5, uCode 0x44 (Milan/Genoa) */
	snp_tcb_decode(0x4405000000000002ULL, SNP_PRODUCT_MILAN, &t);
	CHECK(t.bootloader == 2 && t.tee == 0 && t.snp == 5 && t.microcode == 0x44 && !t.has_fmc, "Milan");
	snp_tcb_decode(0x4405000000000002ULL, SNP_PRODUCT_GENOA, &t);
	CHECK(t.bootloader == 2 && t.snp == 5 && t.microcode == 0x44, "Genoa like Milan");
	/* Turin: FMC, BL, TEE, SNP, 3 reserved, uCode */
	snp_tcb_decode(0x4800000004030201ULL, SNP_PRODUCT_TURIN, &t);
	CHECK(t.has_fmc && t.fmc == 1 && t.bootloader == 2 && t.tee == 3 && t.snp == 4 &&
	      t.microcode == 0x48, "Turin fmc %u bl %u tee %u snp %u uc %u",
	      t.fmc, t.bootloader, t.tee, t.snp, t.microcode);
	return TEST_PASS;
}

static int vectors_have_zero_reserved_bytes(void)
{
	static struct snp_report r;
	char why[200];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		CHECK(load(vectors[i].file, &r) == 0, "load");
		CHECK(snp_report_reserved_zero(&r, why, sizeof(why)), "%s: %s", vectors[i].file, why);
	}
	return TEST_PASS;
}

/* The reserved ranges of a version 2 / 3 / 5 report (signed part and tail). */
static bool is_reserved(size_t off, uint32_t version)
{
	return (off >= 0x4C && off < 0x50) ||
	       (off >= (version >= 3 ? 0x18B : 0x188) && off < 0x1A0) ||
	       off == 0x1EB || off == 0x1EF ||
	       (off >= (version >= 5 ? 0x208 : 0x1F8) && off < 0x2A0) ||
	       off >= 0x330;
}

static int every_nonzero_reserved_byte_rejected(void)
{
	static struct snp_report r, m;
	char why[200], err[200];
	size_t hits = 0;

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load("snp/mstav_genoa_attestation_report.bin", &r) == 0, "load");
	for (uint32_t version = 2; version <= 5; version += version == 3 ? 2 : 1) {
		uint8_t raw[SNP_REPORT_SIZE];

		memcpy(raw, r.raw, sizeof(raw));
		raw[0] = (uint8_t)version;
		/* 0x188..0x18A are CPUID in v3+, reserved in v2: start from zeros there */
		if (version == 2)
			memset(raw + 0x188, 0, 3);
		for (size_t off = 0; off < SNP_REPORT_SIZE; off++) {
			bool res = is_reserved(off, version);

			if (!res && off != 0x48)
				continue;
			raw[off] ^= off == 0x48 ? 0x20 : 0x01;     /* 0x48: signer_info bit 5 */
			CHECK(snp_report_parse(raw, sizeof(raw), &m, err, sizeof(err)) == 0, "%s", err);
			CHECK(!snp_report_reserved_zero(&m, why, sizeof(why)), "v%u byte 0x%zx accepted", version, off);
			CHECK(strstr(why, "reserved"), "reason: %s", why);
			raw[off] ^= off == 0x48 ? 0x20 : 0x01;
			hits++;
		}
		/* a set bit in a field that is not reserved is not this check's business */
		raw[0x90] ^= 1;
		CHECK(snp_report_parse(raw, sizeof(raw), &m, err, sizeof(err)) == 0, "%s", err);
		CHECK(snp_report_reserved_zero(&m, why, sizeof(why)), "measurement is no reserved byte: %s", why);
	}
	CHECK(hits > 3 * 500, "%zu reserved bytes tried", hits);
	return TEST_PASS;
}

static int unsupported_versions_rejected(void)
{
	static struct snp_report r;
	uint8_t raw[SNP_REPORT_SIZE] = { 0 };
	const uint32_t bad[] = { 0, 1, 4, 6, 0x02000000 };
	char err[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (int b = 0; b < 4; b++)
			raw[b] = (uint8_t)(bad[i] >> (8 * b));
		CHECK(snp_report_parse(raw, sizeof(raw), &r, err, sizeof(err)) == -1, "version %u", bad[i]);
		CHECK(strstr(err, "not supported"), "error: %s", err);
	}
	return TEST_PASS;
}

static int wrong_sizes_rejected(void)
{
	static struct snp_report r;
	static uint8_t big[SNP_REPORT_SIZE + 1];
	char err[200];

	big[0] = 2;
	CHECK(snp_report_parse(big, SNP_REPORT_SIZE - 1, &r, err, sizeof(err)) == -1, "truncated");
	CHECK(strstr(err, "1184 bytes, this one has 1183"), "error: %s", err);
	CHECK(snp_report_parse(big, SNP_REPORT_SIZE + 1, &r, err, sizeof(err)) == -1, "oversized");
	CHECK(snp_report_parse(big, 0, &r, err, sizeof(err)) == -1, "empty");
	return TEST_PASS;
}

static int hex_and_binary_files_agree(void)
{
	uint8_t *hex, raw[SNP_REPORT_SIZE], again[SNP_REPORT_SIZE];
	size_t len;
	char err[256];
	uint8_t *spaced;

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	hex = test_read_vector("snp/virtee_report_milan.hex", &len);
	CHECK(hex && len == 2 * SNP_REPORT_SIZE, "hex vector");
	CHECK(snp_report_from_bytes(hex, len, raw, err, sizeof(err)) == 0, "%s", err);
	CHECK(snp_report_from_bytes(raw, sizeof(raw), again, err, sizeof(err)) == 0, "binary");
	CHECK(!memcmp(raw, again, sizeof(raw)), "binary passes through");
	/* with a newline every 64 digits, as xxd -p style tools write */
	spaced = malloc(len + len / 64 + 1);
	CHECK(spaced, "alloc");
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		spaced[n++] = hex[i];
		if (i % 64 == 63)
			spaced[n++] = '\n';
	}
	CHECK(snp_report_from_bytes(spaced, n, again, err, sizeof(err)) == 0, "%s", err);
	CHECK(!memcmp(raw, again, sizeof(raw)), "same bytes");
	/* one digit short, one byte long, a non-hex letter */
	CHECK(snp_report_from_bytes(hex, len - 1, again, err, sizeof(err)) == -1, "odd digits");
	CHECK(snp_report_from_bytes(hex, len - 2, again, err, sizeof(err)) == -1, "one byte short");
	CHECK(strstr(err, "1183 bytes"), "error: %s", err);
	hex[100] = 'g';
	CHECK(snp_report_from_bytes(hex, len, again, err, sizeof(err)) == -1, "non-hex");
	CHECK(strstr(err, "not a hex digit at byte 100"), "error: %s", err);
	free(spaced);
	free(hex);
	return TEST_PASS;
}

static int garbage_and_oversized_files_rejected(void)
{
	char path[] = "/tmp/kettle-snp-report-XXXXXX", err[256];
	uint8_t raw[SNP_REPORT_SIZE];
	static uint8_t junk[SNP_REPORT_FILE_MAX + 1];
	int fd = mkstemp(path);

	CHECK(fd >= 0, "mkstemp");
	memset(junk, 'A', sizeof(junk));
	CHECK(write(fd, junk, 5000) == 5000, "write");
	CHECK(snp_report_load_file(path, raw, err, sizeof(err)) == -1, "5000 'A' bytes");
	CHECK(strstr(err, path), "error names the file: %s", err);
	CHECK(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0, "truncate");
	CHECK(write(fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk), "write");
	CHECK(snp_report_load_file(path, raw, err, sizeof(err)) == -1, "oversized");
	CHECK(strstr(err, "larger than"), "error: %s", err);
	CHECK(ftruncate(fd, 0) == 0, "truncate");
	CHECK(snp_report_load_file(path, raw, err, sizeof(err)) == -1, "empty file");
	close(fd);
	unlink(path);
	CHECK(snp_report_load_file("/nonexistent/report.bin", raw, err, sizeof(err)) == -1, "missing");
	return TEST_PASS;
}

static int json_has_every_field(void)
{
	static struct snp_report r;
	json_t *j, *tcb;

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load("snp/gosev_attestation.bin", &r) == 0, "load");
	j = snp_report_to_json(&r, SNP_PRODUCT_MILAN);
	CHECK(j, "json");
	CHECK(json_integer_value(json_object_get(j, "version")) == 2, "version");
	CHECK(!strcmp(json_string_value(json_object_get(j, "measurement")), vectors[0].measurement), "measurement");
	CHECK(!strcmp(json_string_value(json_object_get(j, "chip_id")), vectors[0].chip_id), "chip_id");
	CHECK(!strcmp(json_string_value(json_object_get(j, "policy")), "0x00000000000b0000"), "policy");
	/* 0xb0000: SMT (16), reserved-must-be-one (17), DEBUG (19) */
	CHECK(json_is_true(json_object_get(json_object_get(j, "policy_decoded"), "debug")), "debug bit 19");
	CHECK(json_is_true(json_object_get(json_object_get(j, "policy_decoded"), "smt")), "smt bit 16");
	CHECK(json_is_false(json_object_get(json_object_get(j, "policy_decoded"), "migrate_ma")), "bit 18 clear");
	tcb = json_object_get(j, "reported_tcb");
	CHECK(json_integer_value(json_object_get(tcb, "microcode")) == 0x44 &&
	      json_integer_value(json_object_get(tcb, "snp")) == 5 &&
	      json_integer_value(json_object_get(tcb, "bootloader")) == 2 &&
	      !json_object_get(tcb, "fmc"), "reported_tcb decoded");
	CHECK(!strcmp(json_string_value(json_object_get(json_object_get(j, "signer_info"), "signing_key")), "VCEK"), "signer");
	CHECK(!strcmp(json_string_value(json_object_get(j, "product")), "Milan"), "product");
	json_decref(j);
	return TEST_PASS;
}

static int text_output_names_the_fields(void)
{
	static struct snp_report r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load("snp/mstav_genoa_attestation_report.bin", &r) == 0, "load");
	f = open_memstream(&buf, &len);
	CHECK(f, "memstream");
	snp_report_print(f, &r, SNP_PRODUCT_GENOA);
	fclose(f);
	CHECK(strstr(buf, "version 3, product Genoa"), "header:\n%s", buf);
	CHECK(strstr(buf, vectors[3].measurement), "measurement");
	CHECK(strstr(buf, "bootloader 10, tee 0, snp 23, microcode 84"), "reported tcb:\n%s", buf);
	CHECK(strstr(buf, "family 0x19, model 0x11, stepping 0x01"), "cpuid");
	free(buf);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "every_vector_reads_back_exactly", every_vector_reads_back_exactly },
	{ "signer_info_decoded", signer_info_decoded },
	{ "product_from_cpuid", product_from_cpuid },
	{ "tcb_layouts_per_product", tcb_layouts_per_product },
	{ "vectors_have_zero_reserved_bytes", vectors_have_zero_reserved_bytes },
	{ "every_nonzero_reserved_byte_rejected", every_nonzero_reserved_byte_rejected },
	{ "unsupported_versions_rejected", unsupported_versions_rejected },
	{ "wrong_sizes_rejected", wrong_sizes_rejected },
	{ "hex_and_binary_files_agree", hex_and_binary_files_agree },
	{ "garbage_and_oversized_files_rejected", garbage_and_oversized_files_rejected },
	{ "json_has_every_field", json_has_every_field },
	{ "text_output_names_the_fields", text_output_names_the_fields },
};

TEST_MAIN("snp_report", tests)
