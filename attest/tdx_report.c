// SPDX-License-Identifier: MIT
/* Parsing the TDREPORT. */
#include "attest/tdx_report.h"
#include "common/hex.h"

#include <stddef.h>
#include <string.h>

#include <openssl/evp.h>

/* Offsets in the 1024-byte TDREPORT (Intel TDX module ABI: REPORTMACSTRUCT, TEE_TCB_INFO, TDINFO). */
#define MAC_STRUCT_OFF     0
#define TEE_TCB_INFO_OFF   256
#define TEE_TCB_INFO_SIZE  239
#define TDINFO_OFF         512
#define TDINFO_SIZE        512

int tdx_tdreport_parse(const uint8_t *buf, size_t len, struct tdx_tdreport *r, char *err, size_t errlen)
{
	const uint8_t *t, *d;

	memset(r, 0, sizeof(*r));
	if (!buf || len != TDX_TDREPORT_SIZE) {
		snprintf(err, errlen, "TDREPORT: %zu bytes, a TDREPORT has exactly %d", buf ? len : 0,
			 TDX_TDREPORT_SIZE);
		return -1;
	}
	t = buf + TEE_TCB_INFO_OFF;
	d = buf + TDINFO_OFF;
	r->report_type = buf[0];
	r->report_subtype = buf[1];
	r->report_version = buf[2];
	if (r->report_type != TDX_TDREPORT_TYPE_TDX) {
		snprintf(err, errlen, "TDREPORT: report type 0x%02x at offset 0 is not TDX (0x81)", r->report_type);
		return -1;
	}
	memcpy(r->cpu_svn, buf + 16, 16);
	memcpy(r->tee_tcb_info_hash, buf + 32, 48);
	memcpy(r->tee_info_hash, buf + 80, 48);
	memcpy(r->report_data, buf + 128, 64);
	memcpy(r->mac, buf + 224, 32);

	memcpy(r->tcb_valid, t, 8);
	memcpy(r->tee_tcb_svn, t + 8, 16);
	memcpy(r->mrseam, t + 24, 48);
	memcpy(r->mrsignerseam, t + 72, 48);
	memcpy(r->seam_attributes, t + 120, 8);
	memcpy(r->tee_tcb_svn2, t + 128, 16);

	memcpy(r->td_attributes, d, 8);
	memcpy(r->xfam, d + 8, 8);
	memcpy(r->mrtd, d + 16, 48);
	memcpy(r->mrconfigid, d + 64, 48);
	memcpy(r->mrowner, d + 112, 48);
	memcpy(r->mrownerconfig, d + 160, 48);
	memcpy(r->rtmr, d + 208, 4 * 48);
	memcpy(r->servtd_hash, d + 400, 48);
	return 0;
}

static bool sha384_matches(const uint8_t *data, size_t len, const uint8_t *expected, struct check_list *l,
			   const char *name, const char *what)
{
	uint8_t md[48];
	unsigned int mdlen = 0;
	char got[97], want[97];

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha384(), NULL) != 1 || mdlen != sizeof(md))
		return check_add(l, name, false, "SHA-384 of %s could not be computed (OpenSSL)", what);
	if (memcmp(md, expected, sizeof(md)) == 0)
		return check_add(l, name, true, "SHA-384 of %s matches the hash in the report", what);
	hex_encode(md, sizeof(md), got);
	hex_encode(expected, sizeof(md), want);
	return check_add(l, name, false, "SHA-384 of %s is %.16s..., the report says %.16s...", what, got, want);
}

bool tdx_tdreport_check(const uint8_t *buf, struct check_list *l)
{
	bool tcb = sha384_matches(buf + TEE_TCB_INFO_OFF, TEE_TCB_INFO_SIZE, buf + 32, l,
				  "tdx.tdreport.tee_tcb_info_hash", "TEE_TCB_INFO [256, 495)");
	bool td = sha384_matches(buf + TDINFO_OFF, TDINFO_SIZE, buf + 80, l,
				 "tdx.tdreport.tee_info_hash", "TDINFO [512, 1024)");

	check_note(l, "tdx.tdreport.mac",
		   "not checked: the MAC is keyed by the CPU that made the report and can be checked only on that platform; "
		   "a TDREPORT is evidence only once the quoting enclave turns it into a quote");
	return tcb && td;
}

#define HEXF(name, field) { name, offsetof(struct tdx_tdreport, field), sizeof(((struct tdx_tdreport *)0)->field) }

static const struct {
	const char *name;
	size_t offset, len;
} hex_fields[] = {
	HEXF("cpu_svn", cpu_svn),
	HEXF("tee_tcb_info_hash", tee_tcb_info_hash),
	HEXF("tee_info_hash", tee_info_hash),
	HEXF("report_data", report_data),
	HEXF("mac", mac),
	HEXF("tee_tcb_info.valid", tcb_valid),
	HEXF("tee_tcb_info.tee_tcb_svn", tee_tcb_svn),
	HEXF("tee_tcb_info.mrseam", mrseam),
	HEXF("tee_tcb_info.mrsignerseam", mrsignerseam),
	HEXF("tee_tcb_info.attributes", seam_attributes),
	HEXF("tee_tcb_info.tee_tcb_svn2", tee_tcb_svn2),
	HEXF("td_info.attributes", td_attributes),
	HEXF("td_info.xfam", xfam),
	HEXF("td_info.mrtd", mrtd),
	HEXF("td_info.mrconfigid", mrconfigid),
	HEXF("td_info.mrowner", mrowner),
	HEXF("td_info.mrownerconfig", mrownerconfig),
	HEXF("td_info.rtmr0", rtmr[0]),
	HEXF("td_info.rtmr1", rtmr[1]),
	HEXF("td_info.rtmr2", rtmr[2]),
	HEXF("td_info.rtmr3", rtmr[3]),
	HEXF("td_info.servtd_hash", servtd_hash),
};

json_t *tdx_tdreport_to_json(const struct tdx_tdreport *r)
{
	json_t *obj = json_object();
	char hex[2 * 64 + 1];

	if (!obj || json_object_set_new(obj, "report_type", json_integer(r->report_type)) != 0 ||
	    json_object_set_new(obj, "report_subtype", json_integer(r->report_subtype)) != 0 ||
	    json_object_set_new(obj, "report_version", json_integer(r->report_version)) != 0)
		goto fail;
	for (size_t i = 0; i < sizeof(hex_fields) / sizeof(hex_fields[0]); i++) {
		hex_encode((const uint8_t *)r + hex_fields[i].offset, hex_fields[i].len, hex);
		if (json_object_set_new(obj, hex_fields[i].name, json_string(hex)) != 0)
			goto fail;
	}
	return obj;
fail:
	json_decref(obj);
	return NULL;
}

void tdx_tdreport_print(const struct tdx_tdreport *r, FILE *out)
{
	char hex[2 * 64 + 1];

	fprintf(out, "TDREPORT type 0x%02x subtype %u version %u\n", r->report_type, r->report_subtype,
		r->report_version);
	for (size_t i = 0; i < sizeof(hex_fields) / sizeof(hex_fields[0]); i++) {
		hex_encode((const uint8_t *)r + hex_fields[i].offset, hex_fields[i].len, hex);
		fprintf(out, "%-26s %s\n", hex_fields[i].name, hex);
	}
}
