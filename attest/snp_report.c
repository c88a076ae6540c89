// SPDX-License-Identifier: MIT
/* Parsing the SEV-SNP ATTESTATION_REPORT. */
#include "attest/snp_report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/file_bytes.h"
#include "common/hex.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

int snp_report_parse(const uint8_t *b, size_t len, struct snp_report *r,
		     char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (len != SNP_REPORT_SIZE) {
		snprintf(err, errlen, "an SEV-SNP report is %d bytes, this one has %zu",
			 SNP_REPORT_SIZE, len);
		return -1;
	}
	r->version = le32(b + 0x00);
	if (r->version != 2 && r->version != 3 && r->version != 5) {
		snprintf(err, errlen, "SEV-SNP report version %" PRIu32 " is not supported (2, 3 and 5 are)",
			 r->version);
		return -1;
	}
	memcpy(r->raw, b, SNP_REPORT_SIZE);
	r->guest_svn = le32(b + 0x04);
	r->policy = le64(b + 0x08);
	memcpy(r->family_id, b + 0x10, 16);
	memcpy(r->image_id, b + 0x20, 16);
	r->vmpl = le32(b + 0x30);
	r->signature_algo = le32(b + 0x34);
	r->current_tcb = le64(b + 0x38);
	r->platform_info = le64(b + 0x40);
	r->signer_info = le32(b + 0x48);
	r->author_key_en = r->signer_info & 1;
	r->mask_chip_key = (r->signer_info >> 1) & 1;
	r->signing_key = (r->signer_info >> 2) & 7;
	memcpy(r->report_data, b + 0x50, 64);
	memcpy(r->measurement, b + 0x90, 48);
	memcpy(r->host_data, b + 0xC0, 32);
	memcpy(r->id_key_digest, b + 0xE0, 48);
	memcpy(r->author_key_digest, b + 0x110, 48);
	memcpy(r->report_id, b + 0x140, 32);
	memcpy(r->report_id_ma, b + 0x160, 32);
	r->reported_tcb = le64(b + 0x180);
	if (r->version >= 3) {
		r->cpuid_fam_id = b[0x188];
		r->cpuid_mod_id = b[0x189];
		r->cpuid_step = b[0x18A];
	}
	memcpy(r->chip_id, b + 0x1A0, 64);
	r->committed_tcb = le64(b + 0x1E0);
	r->current_build = b[0x1E8];
	r->current_minor = b[0x1E9];
	r->current_major = b[0x1EA];
	r->committed_build = b[0x1EC];
	r->committed_minor = b[0x1ED];
	r->committed_major = b[0x1EE];
	r->launch_tcb = le64(b + 0x1F0);
	if (r->version >= 5) {
		r->launch_mit_vector = le64(b + 0x1F8);
		r->current_mit_vector = le64(b + 0x200);
	}
	memcpy(r->sig_r, b + 0x2A0, SNP_SIG_COMPONENT);
	memcpy(r->sig_s, b + 0x2E8, SNP_SIG_COMPONENT);
	return 0;
}

/* ---- reading files --------------------------------------------------------- */

int snp_report_from_bytes(const uint8_t *buf, size_t len, uint8_t out[SNP_REPORT_SIZE],
			  char *err, size_t errlen)
{
	char why[160];
	long n;

	if (len == SNP_REPORT_SIZE) {
		memcpy(out, buf, SNP_REPORT_SIZE);
		return 0;
	}
	/* Hex text: 2368 digits, blanks and newlines anywhere. */
	n = hex_decode_text((const char *)buf, len, out, SNP_REPORT_SIZE, why, sizeof(why));
	if (n < 0) {
		snprintf(err, errlen, "neither a %d-byte binary SEV-SNP report nor hex text of one "
			 "(%zu bytes: %s)", SNP_REPORT_SIZE, len, why);
		return -1;
	}
	if (n != SNP_REPORT_SIZE) {
		snprintf(err, errlen, "hex text holds %ld bytes: an SEV-SNP report is %d bytes",
			 n, SNP_REPORT_SIZE);
		return -1;
	}
	return 0;
}

int snp_report_load_file(const char *path, uint8_t out[SNP_REPORT_SIZE],
			 char *err, size_t errlen)
{
	char why[200];
	uint8_t *buf;
	size_t len;
	int rc;

	if (file_read_bounded(path, SNP_REPORT_FILE_MAX, &buf, &len, err, errlen) < 0)
		return -1;
	rc = snp_report_from_bytes(buf, len, out, why, sizeof(why));
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, why);
	free(buf);
	return rc;
}

/* ---- reserved bytes ---------------------------------------------------- */

static bool zero_range(const uint8_t *raw, size_t lo, size_t hi, char *reason, size_t reasonlen)
{
	for (size_t i = lo; i < hi; i++) {
		if (raw[i]) {
			snprintf(reason, reasonlen,
				 "reserved byte 0x%03zx is 0x%02x (report[0x%03zx:0x%03zx] must be zero%s)",
				 i, raw[i], lo, hi,
				 lo >= SNP_SIGNED_SIZE ? "; it is outside the signed part, so anyone could have set it" : "");
			return false;
		}
	}
	return true;
}

bool snp_report_reserved_zero(const struct snp_report *r, char *reason, size_t reasonlen)
{
	const uint8_t *b = r->raw;

	if (r->signer_info >> 5) {
		snprintf(reason, reasonlen, "reserved bits 31:5 of report[0x048] are set (0x%08" PRIx32 ")",
			 r->signer_info);
		return false;
	}
	if (!zero_range(b, 0x4C, 0x50, reason, reasonlen) ||
	    !zero_range(b, r->version >= 3 ? 0x18B : 0x188, 0x1A0, reason, reasonlen) ||
	    !zero_range(b, 0x1EB, 0x1EC, reason, reasonlen) ||
	    !zero_range(b, 0x1EF, 0x1F0, reason, reasonlen) ||
	    !zero_range(b, r->version >= 5 ? 0x208 : 0x1F8, SNP_SIGNED_SIZE, reason, reasonlen) ||
	    !zero_range(b, 0x2A0 + 2 * SNP_SIG_COMPONENT, SNP_REPORT_SIZE, reason, reasonlen))
		return false;
	snprintf(reason, reasonlen, "every reserved byte is zero");
	return true;
}

/* ---- products and TCB ---------------------------------------------------- */

enum snp_product snp_report_cpuid_product(const struct snp_report *r)
{
	if (r->version < 3)
		return SNP_PRODUCT_UNKNOWN;
	/* CPUID Fn0000_0001_EAX extended family/model, as AMD KDS classifies them */
	if (r->cpuid_fam_id == 0x19) {
		if (r->cpuid_mod_id <= 0x0F)
			return SNP_PRODUCT_MILAN;
		if ((r->cpuid_mod_id >= 0x10 && r->cpuid_mod_id <= 0x1F) ||
		    (r->cpuid_mod_id >= 0xA0 && r->cpuid_mod_id <= 0xAF))
			return SNP_PRODUCT_GENOA;
	}
	if (r->cpuid_fam_id == 0x1A && r->cpuid_mod_id <= 0x1F)
		return SNP_PRODUCT_TURIN;
	return SNP_PRODUCT_UNKNOWN;
}

bool snp_report_has_sim_marker(const struct snp_report *r)
{
	for (size_t i = 0; i < SNP_CHIP_ID_SIZE; i += 16)
		if (memcmp(r->chip_id + i, SNP_SIM_MARKER, 16))
			return false;
	return true;
}

const char *snp_product_name(enum snp_product p)
{
	switch (p) {
	case SNP_PRODUCT_MILAN: return "Milan";
	case SNP_PRODUCT_GENOA: return "Genoa";
	case SNP_PRODUCT_TURIN: return "Turin";
	case SNP_PRODUCT_SIM: return "Kettle-SIM";
	default: return "unknown";
	}
}

const char *snp_signing_key_name(unsigned k)
{
	switch (k) {
	case SNP_SIGNING_KEY_VCEK: return "VCEK";
	case SNP_SIGNING_KEY_VLEK: return "VLEK";
	case SNP_SIGNING_KEY_NONE: return "none";
	default: return "reserved";
	}
}

void snp_tcb_decode(uint64_t raw, enum snp_product product, struct snp_tcb *t)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(raw >> (8 * i));
	memset(t, 0, sizeof(*t));
	if (product == SNP_PRODUCT_TURIN) {
		t->has_fmc = true;
		t->fmc = b[0];
		t->bootloader = b[1];
		t->tee = b[2];
		t->snp = b[3];
	} else {
		t->bootloader = b[0];
		t->tee = b[1];
		t->snp = b[6];
	}
	t->microcode = b[7];
}

/* ---- showing ------------------------------------------------------------ */

/* N is at most 72 (a signature component). */
static json_t *hex_json(const uint8_t *p, size_t n)
{
	char buf[2 * SNP_SIG_COMPONENT + 1];

	hex_encode(p, n, buf);
	return json_string(buf);
}

static json_t *u64_json(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%016" PRIx64, v);
	return json_string(buf);
}

static json_t *tcb_json(uint64_t raw, enum snp_product product)
{
	struct snp_tcb t;
	json_t *o;

	snp_tcb_decode(raw, product, &t);
	o = json_pack("{s:o, s:i, s:i, s:i, s:i}", "raw", u64_json(raw),
		      "bootloader", t.bootloader, "tee", t.tee, "snp", t.snp, "microcode", t.microcode);
	if (o && t.has_fmc && json_object_set_new(o, "fmc", json_integer(t.fmc)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *snp_report_to_json(const struct snp_report *r, enum snp_product product)
{
	json_t *o = json_pack(
		"{s:I, s:I, s:o, s:{s:i, s:i, s:b, s:b, s:b, s:b}, s:o, s:o, s:I, s:I,"
		" s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b, s:b}, s:{s:b, s:b, s:s}}",
		"version", (json_int_t)r->version,
		"guest_svn", (json_int_t)r->guest_svn,
		"policy", u64_json(r->policy),
		"policy_decoded",
		"abi_major", (int)((r->policy >> 8) & 0xff), "abi_minor", (int)(r->policy & 0xff),
		"smt", (int)!!(r->policy & SNP_POLICY_SMT),
		"migrate_ma", (int)!!(r->policy & SNP_POLICY_MIGRATE_MA),
		"debug", (int)!!(r->policy & SNP_POLICY_DEBUG),
		"single_socket", (int)!!(r->policy & SNP_POLICY_SINGLE_SOCKET),
		"family_id", hex_json(r->family_id, 16),
		"image_id", hex_json(r->image_id, 16),
		"vmpl", (json_int_t)r->vmpl,
		"signature_algo", (json_int_t)r->signature_algo,
		"current_tcb", tcb_json(r->current_tcb, product),
		"platform_info", u64_json(r->platform_info),
		"platform_info_decoded",
		"smt_enabled", (int)(r->platform_info & 1), "tsme_enabled", (int)((r->platform_info >> 1) & 1),
		"ecc_enabled", (int)((r->platform_info >> 2) & 1), "rapl_disabled", (int)((r->platform_info >> 3) & 1),
		"ciphertext_hiding", (int)((r->platform_info >> 4) & 1),
		"alias_check_complete", (int)((r->platform_info >> 5) & 1),
		"signer_info",
		"author_key_en", (int)r->author_key_en, "mask_chip_key", (int)r->mask_chip_key,
		"signing_key", snp_signing_key_name(r->signing_key));

	if (!o)
		return NULL;
	if (json_object_set_new(o, "product", json_string(snp_product_name(product))) < 0 ||
	    json_object_set_new(o, "report_data", hex_json(r->report_data, 64)) < 0 ||
	    json_object_set_new(o, "measurement", hex_json(r->measurement, 48)) < 0 ||
	    json_object_set_new(o, "host_data", hex_json(r->host_data, 32)) < 0 ||
	    json_object_set_new(o, "id_key_digest", hex_json(r->id_key_digest, 48)) < 0 ||
	    json_object_set_new(o, "author_key_digest", hex_json(r->author_key_digest, 48)) < 0 ||
	    json_object_set_new(o, "report_id", hex_json(r->report_id, 32)) < 0 ||
	    json_object_set_new(o, "report_id_ma", hex_json(r->report_id_ma, 32)) < 0 ||
	    json_object_set_new(o, "reported_tcb", tcb_json(r->reported_tcb, product)) < 0 ||
	    json_object_set_new(o, "cpuid", json_pack("{s:i, s:i, s:i}", "family", r->cpuid_fam_id,
						      "model", r->cpuid_mod_id, "stepping", r->cpuid_step)) < 0 ||
	    json_object_set_new(o, "chip_id", hex_json(r->chip_id, 64)) < 0 ||
	    json_object_set_new(o, "committed_tcb", tcb_json(r->committed_tcb, product)) < 0 ||
	    json_object_set_new(o, "current_version", json_pack("{s:i, s:i, s:i}", "major", r->current_major,
								"minor", r->current_minor, "build", r->current_build)) < 0 ||
	    json_object_set_new(o, "committed_version", json_pack("{s:i, s:i, s:i}", "major", r->committed_major,
								  "minor", r->committed_minor, "build", r->committed_build)) < 0 ||
	    json_object_set_new(o, "launch_tcb", tcb_json(r->launch_tcb, product)) < 0 ||
	    json_object_set_new(o, "launch_mit_vector", u64_json(r->launch_mit_vector)) < 0 ||
	    json_object_set_new(o, "current_mit_vector", u64_json(r->current_mit_vector)) < 0 ||
	    json_object_set_new(o, "signature_r", hex_json(r->sig_r, SNP_SIG_COMPONENT)) < 0 ||
	    json_object_set_new(o, "signature_s", hex_json(r->sig_s, SNP_SIG_COMPONENT)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static void print_hex(FILE *f, const char *name, const uint8_t *p, size_t n)
{
	char buf[2 * SNP_SIG_COMPONENT + 1];

	hex_encode(p, n, buf);
	fprintf(f, "  %-20s %s\n", name, buf);
}

static void print_tcb(FILE *f, const char *name, uint64_t raw, enum snp_product product)
{
	struct snp_tcb t;

	snp_tcb_decode(raw, product, &t);
	fprintf(f, "  %-20s 0x%016" PRIx64 " (", name, raw);
	if (t.has_fmc)
		fprintf(f, "fmc %u, ", t.fmc);
	fprintf(f, "bootloader %u, tee %u, snp %u, microcode %u)\n",
		t.bootloader, t.tee, t.snp, t.microcode);
}

void snp_report_print(FILE *f, const struct snp_report *r, enum snp_product product)
{
	fprintf(f, "SEV-SNP attestation report (version %" PRIu32 ", product %s)\n",
		r->version, snp_product_name(product));
	fprintf(f, "  %-20s %" PRIu32 "\n", "guest_svn", r->guest_svn);
	fprintf(f, "  %-20s 0x%" PRIx64 " (abi %u.%u%s%s%s%s)\n", "policy", r->policy,
		(unsigned)((r->policy >> 8) & 0xff), (unsigned)(r->policy & 0xff),
		r->policy & SNP_POLICY_SMT ? ", smt" : "",
		r->policy & SNP_POLICY_MIGRATE_MA ? ", migrate_ma" : "",
		r->policy & SNP_POLICY_DEBUG ? ", DEBUG" : "",
		r->policy & SNP_POLICY_SINGLE_SOCKET ? ", single_socket" : "");
	print_hex(f, "family_id", r->family_id, 16);
	print_hex(f, "image_id", r->image_id, 16);
	fprintf(f, "  %-20s %" PRIu32 "\n", "vmpl", r->vmpl);
	fprintf(f, "  %-20s %" PRIu32 "%s\n", "signature_algo", r->signature_algo,
		r->signature_algo == 1 ? " (ECDSA P-384 SHA-384)" : " (unknown)");
	print_tcb(f, "current_tcb", r->current_tcb, product);
	fprintf(f, "  %-20s 0x%" PRIx64 "\n", "platform_info", r->platform_info);
	fprintf(f, "  %-20s signing_key %s, mask_chip_key %d, author_key_en %d\n", "signer_info",
		snp_signing_key_name(r->signing_key), r->mask_chip_key, r->author_key_en);
	print_hex(f, "report_data", r->report_data, 64);
	print_hex(f, "measurement", r->measurement, 48);
	print_hex(f, "host_data", r->host_data, 32);
	print_hex(f, "id_key_digest", r->id_key_digest, 48);
	print_hex(f, "author_key_digest", r->author_key_digest, 48);
	print_hex(f, "report_id", r->report_id, 32);
	print_hex(f, "report_id_ma", r->report_id_ma, 32);
	print_tcb(f, "reported_tcb", r->reported_tcb, product);
	if (r->version >= 3)
		fprintf(f, "  %-20s family 0x%02x, model 0x%02x, stepping 0x%02x\n", "cpuid",
			r->cpuid_fam_id, r->cpuid_mod_id, r->cpuid_step);
	print_hex(f, "chip_id", r->chip_id, 64);
	print_tcb(f, "committed_tcb", r->committed_tcb, product);
	fprintf(f, "  %-20s %u.%u.%u\n", "current_version", r->current_major, r->current_minor, r->current_build);
	fprintf(f, "  %-20s %u.%u.%u\n", "committed_version", r->committed_major, r->committed_minor, r->committed_build);
	print_tcb(f, "launch_tcb", r->launch_tcb, product);
	if (r->version >= 5) {
		fprintf(f, "  %-20s 0x%" PRIx64 "\n", "launch_mit_vector", r->launch_mit_vector);
		fprintf(f, "  %-20s 0x%" PRIx64 "\n", "current_mit_vector", r->current_mit_vector);
	}
}
