// SPDX-License-Identifier: MIT
/* A parsed TDX quote as JSON and as text: both walk the same field table, so they never disagree. */
#include "attest/tdx_quote.h"
#include "common/hex.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum field_kind { F_HEX, F_U16, F_U32, F_HEX32 };

/* A field at OFFSET bytes into struct tdx_quote (or its parts), LEN bytes of hex or an integer. */
struct field {
	const char *name;
	enum field_kind kind;
	size_t offset;
	size_t len;
};

#define Q(member)            offsetof(struct tdx_quote, member)
#define HDR(name, m, kind)   { name, kind, Q(header.m), sizeof(((struct tdx_quote *)0)->header.m) }
#define BODY(name, m)        { name, F_HEX, Q(body.m), sizeof(((struct tdx_quote *)0)->body.m) }
#define QE(name, m, kind)    { name, kind, Q(qe_report.m), sizeof(((struct tdx_quote *)0)->qe_report.m) }

static const struct field header_fields[] = {
	HDR("version", version, F_U16),
	HDR("att_key_type", att_key_type, F_U16),
	HDR("tee_type", tee_type, F_HEX32),
	HDR("qe_svn", qe_svn, F_U16),
	HDR("pce_svn", pce_svn, F_U16),
	HDR("qe_vendor_id", qe_vendor_id, F_HEX),
	HDR("user_data", user_data, F_HEX),
};

static const struct field body_fields[] = {
	BODY("tee_tcb_svn", tee_tcb_svn),
	BODY("mrseam", mrseam),
	BODY("mrsignerseam", mrsignerseam),
	BODY("seam_attributes", seam_attributes),
	BODY("td_attributes", td_attributes),
	BODY("xfam", xfam),
	BODY("mrtd", mrtd),
	BODY("mrconfigid", mrconfigid),
	BODY("mrowner", mrowner),
	BODY("mrownerconfig", mrownerconfig),
	{ "rtmr0", F_HEX, Q(body.rtmr[0]), TDX_MR_SIZE },
	{ "rtmr1", F_HEX, Q(body.rtmr[1]), TDX_MR_SIZE },
	{ "rtmr2", F_HEX, Q(body.rtmr[2]), TDX_MR_SIZE },
	{ "rtmr3", F_HEX, Q(body.rtmr[3]), TDX_MR_SIZE },
	BODY("report_data", report_data),
};

static const struct field body15_fields[] = {
	BODY("tee_tcb_svn2", tee_tcb_svn2),
	BODY("mrservicetd", mrservicetd),
};

static const struct field signature_fields[] = {
	{ "signature", F_HEX, Q(signature), TDX_SIG_SIZE },
	{ "attestation_key", F_HEX, Q(attest_key), TDX_ATTEST_KEY_SIZE },
};

static const struct field qe_fields[] = {
	QE("cpu_svn", cpu_svn, F_HEX),
	QE("miscselect", miscselect, F_HEX32),
	QE("isv_ext_prod_id", isv_ext_prod_id, F_HEX),
	QE("attributes", attributes, F_HEX),
	QE("mr_enclave", mr_enclave, F_HEX),
	QE("mr_signer", mr_signer, F_HEX),
	QE("config_id", config_id, F_HEX),
	QE("isv_prod_id", isv_prod_id, F_U16),
	QE("isv_svn", isv_svn, F_U16),
	QE("config_svn", config_svn, F_U16),
	QE("isv_family_id", isv_family_id, F_HEX),
	QE("report_data", report_data, F_HEX),
	{ "signature", F_HEX, Q(qe_report_signature), TDX_SIG_SIZE },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The field's value as text: hex for bytes, decimal or 0x-hex for integers. */
static void field_text(const struct tdx_quote *q, const struct field *f, char *out, size_t outlen)
{
	const uint8_t *p = (const uint8_t *)q + f->offset;
	uint16_t v16;
	uint32_t v32;

	switch (f->kind) {
	case F_HEX:
		if (2 * f->len < outlen)
			hex_encode(p, f->len, out);
		else
			snprintf(out, outlen, "(%zu bytes)", f->len);
		return;
	case F_U16:
		memcpy(&v16, p, sizeof(v16));
		snprintf(out, outlen, "%u", v16);
		return;
	case F_U32:
		memcpy(&v32, p, sizeof(v32));
		snprintf(out, outlen, "%u", v32);
		return;
	case F_HEX32:
		memcpy(&v32, p, sizeof(v32));
		snprintf(out, outlen, "0x%x", v32);
		return;
	}
}

static int put_fields(json_t *obj, const struct tdx_quote *q, const struct field *fs, size_t n)
{
	char text[2 * 64 + 1];

	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = (const uint8_t *)q + fs[i].offset;
		json_t *v;

		if (fs[i].kind == F_U16) {
			uint16_t v16;

			memcpy(&v16, p, sizeof(v16));
			v = json_integer(v16);
		} else if (fs[i].kind == F_U32 || fs[i].kind == F_HEX32) {
			uint32_t v32;

			memcpy(&v32, p, sizeof(v32));
			v = json_integer(v32);
		} else {
			field_text(q, &fs[i], text, sizeof(text));
			v = json_string(text);
		}
		if (json_object_set_new(obj, fs[i].name, v) != 0)
			return -1;
	}
	return 0;
}

static json_t *fields_object(const struct tdx_quote *q, const struct field *fs, size_t n)
{
	json_t *obj = json_object();

	if (obj && put_fields(obj, q, fs, n) != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static int set(json_t *obj, const char *key, json_t *v)
{
	return v ? json_object_set_new(obj, key, v) : -1;
}

static json_t *qe_json(const struct tdx_quote *q)
{
	json_t *qe = fields_object(q, qe_fields, N(qe_fields));
	size_t hexlen = 2 * (size_t)q->qe_auth_data_len + 1;
	char *hex = malloc(hexlen);
	int rc = -1;

	if (qe && hex) {
		hex_encode(q->qe_auth_data, q->qe_auth_data_len, hex);
		rc = set(qe, "auth_data", json_string(hex));
	}
	free(hex);
	if (rc != 0 ||
	    set(qe, "pck_cert_data_type", json_integer(q->pck_data_type)) != 0 ||
	    set(qe, "pck_cert_data_type_name", json_string(tdx_cert_data_type_name(q->pck_data_type))) != 0 ||
	    set(qe, "pck_cert_data_size", json_integer(q->pck_data_size)) != 0) {
		json_decref(qe);
		return NULL;
	}
	return qe;
}

json_t *tdx_quote_to_json(const struct tdx_quote *q)
{
	json_t *root = json_object(), *body;

	if (!root)
		return NULL;
	if (set(root, "header", fields_object(q, header_fields, N(header_fields))) != 0 ||
	    set(root, "body_type", json_integer(q->body_type)) != 0 ||
	    set(root, "body_size", json_integer(q->body_size)) != 0 ||
	    set(root, "body", (body = fields_object(q, body_fields, N(body_fields)))) != 0 ||
	    (q->body_type == TDX_BODY_TYPE_15 && put_fields(body, q, body15_fields, N(body15_fields)) != 0) ||
	    set(root, "signed_length", json_integer((json_int_t)q->signed_len)) != 0 ||
	    set(root, "signature_data_length", json_integer(q->sig_data_len)) != 0 ||
	    set(root, "signature_data", fields_object(q, signature_fields, N(signature_fields))) != 0 ||
	    set(root, "cert_data_type", json_integer(q->cert_data_type)) != 0 ||
	    set(root, "cert_data_type_name", json_string(tdx_cert_data_type_name(q->cert_data_type))) != 0 ||
	    set(root, "cert_data_size", json_integer(q->cert_data_size)) != 0 ||
	    (q->has_qe_report && set(root, "qe_report", qe_json(q)) != 0) ||
	    set(root, "trailing_bytes", json_integer((json_int_t)q->trailing_len)) != 0) {
		json_decref(root);
		return NULL;
	}
	return root;
}

#define NAME_WIDTH 28

static void print_fields(const struct tdx_quote *q, const char *prefix, const struct field *fs, size_t n, FILE *out)
{
	char text[2 * 64 + 1], name[64];

	for (size_t i = 0; i < n; i++) {
		field_text(q, &fs[i], text, sizeof(text));
		snprintf(name, sizeof(name), "%s%s", prefix, fs[i].name);
		fprintf(out, "%-*s %s\n", NAME_WIDTH, name, text);
	}
}

void tdx_quote_print(const struct tdx_quote *q, FILE *out)
{
	fprintf(out, "TDX quote v%u, body type %u (%s, %u bytes), %zu bytes signed by the attestation key\n",
		q->header.version, q->body_type, q->body_type == TDX_BODY_TYPE_15 ? "TDX 1.5" : "TDX 1.0",
		q->body_size, q->signed_len);
	print_fields(q, "header.", header_fields, N(header_fields), out);
	print_fields(q, "body.", body_fields, N(body_fields), out);
	if (q->body_type == TDX_BODY_TYPE_15)
		print_fields(q, "body.", body15_fields, N(body15_fields), out);
	fprintf(out, "%-*s %u bytes\n", NAME_WIDTH, "signature_data_length", q->sig_data_len);
	print_fields(q, "", signature_fields, N(signature_fields), out);
	fprintf(out, "%-*s type %u (%s), %u bytes\n", NAME_WIDTH, "cert_data", q->cert_data_type,
		tdx_cert_data_type_name(q->cert_data_type), q->cert_data_size);
	if (q->has_qe_report) {
		print_fields(q, "qe_report.", qe_fields, N(qe_fields), out);
		fprintf(out, "%-*s %u bytes\n", NAME_WIDTH, "qe_report.auth_data", q->qe_auth_data_len);
		fprintf(out, "%-*s type %u (%s), %u bytes\n", NAME_WIDTH, "pck_cert_data", q->pck_data_type,
			tdx_cert_data_type_name(q->pck_data_type), q->pck_data_size);
	}
	if (q->trailing_len)
		fprintf(out, "%-*s %zu (after the signature data; not signed, ignored)\n", NAME_WIDTH, "trailing_bytes",
			q->trailing_len);
}
