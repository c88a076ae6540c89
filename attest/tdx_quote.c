// SPDX-License-Identifier: MIT
/* Parsing Intel TDX quotes (v4, v5). */
#include "attest/tdx_quote.h"

#include <stdarg.h>
#include <string.h>

/* A cursor over the quote: every read is bounded by the buffer's end. */
struct cursor {
	const uint8_t *buf;
	size_t len;
	size_t off;
	char *err;
	size_t errlen;
};

static int fail(struct cursor *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct cursor *c, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "TDX quote: %s", msg);
	return -1;
}

/* True when N more bytes are there; otherwise sets the error naming WHAT. */
static bool have(struct cursor *c, size_t n, const char *what)
{
	if (c->len - c->off >= n)
		return true;
	fail(c, "truncated: %s needs %zu bytes at offset 0x%zx, the quote has %zu left (%zu bytes in all)",
	     what, n, c->off, c->len - c->off, c->len);
	return false;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void take(struct cursor *c, void *dst, size_t n)
{
	memcpy(dst, c->buf + c->off, n);
	c->off += n;
}

static uint16_t take16(struct cursor *c)
{
	uint16_t v = le16(c->buf + c->off);

	c->off += 2;
	return v;
}

static uint32_t take32(struct cursor *c)
{
	uint32_t v = le32(c->buf + c->off);

	c->off += 4;
	return v;
}

static int parse_header(struct cursor *c, struct tdx_quote_header *h)
{
	if (!have(c, TDX_QUOTE_HEADER_SIZE, "the header"))
		return -1;
	h->version = take16(c);
	h->att_key_type = take16(c);
	h->tee_type = take32(c);
	h->qe_svn = take16(c);
	h->pce_svn = take16(c);
	take(c, h->qe_vendor_id, sizeof(h->qe_vendor_id));
	take(c, h->user_data, sizeof(h->user_data));
	if (h->version != 4 && h->version != 5)
		return fail(c, "version %u is not supported (4 and 5 are)", h->version);
	if (h->att_key_type != TDX_ATT_KEY_ECDSA_P256)
		return fail(c, "attestation key type %u is not supported (2 = ECDSA P-256 is)", h->att_key_type);
	if (h->tee_type != TDX_TEE_TYPE)
		return fail(c, "TEE type 0x%x is not TDX (0x81)", h->tee_type);
	return 0;
}

static void parse_body(struct cursor *c, struct tdx_td_body *b, bool v15)
{
	take(c, b->tee_tcb_svn, sizeof(b->tee_tcb_svn));
	take(c, b->mrseam, sizeof(b->mrseam));
	take(c, b->mrsignerseam, sizeof(b->mrsignerseam));
	take(c, b->seam_attributes, sizeof(b->seam_attributes));
	take(c, b->td_attributes, sizeof(b->td_attributes));
	take(c, b->xfam, sizeof(b->xfam));
	take(c, b->mrtd, sizeof(b->mrtd));
	take(c, b->mrconfigid, sizeof(b->mrconfigid));
	take(c, b->mrowner, sizeof(b->mrowner));
	take(c, b->mrownerconfig, sizeof(b->mrownerconfig));
	take(c, b->rtmr, sizeof(b->rtmr));
	take(c, b->report_data, sizeof(b->report_data));
	if (v15) {
		take(c, b->tee_tcb_svn2, sizeof(b->tee_tcb_svn2));
		take(c, b->mrservicetd, sizeof(b->mrservicetd));
	}
}

static int parse_body_descriptor(struct cursor *c, struct tdx_quote *q)
{
	if (q->header.version == 4) {
		q->body_type = TDX_BODY_TYPE_10;
		q->body_size = TDX_BODY_10_SIZE;
		return 0;
	}
	if (!have(c, 6, "the v5 body descriptor"))
		return -1;
	q->body_type = take16(c);
	q->body_size = take32(c);
	if (q->body_type != TDX_BODY_TYPE_10 && q->body_type != TDX_BODY_TYPE_15)
		return fail(c, "v5 body type %u at offset 0x30 is not a TD body (2 = TDX 1.0, 3 = TDX 1.5)",
			    q->body_type);
	if (q->body_size != (q->body_type == TDX_BODY_TYPE_10 ? TDX_BODY_10_SIZE : TDX_BODY_15_SIZE))
		return fail(c, "v5 body size %u at offset 0x32 does not match body type %u (%u bytes)",
			    q->body_size, q->body_type,
			    q->body_type == TDX_BODY_TYPE_10 ? TDX_BODY_10_SIZE : TDX_BODY_15_SIZE);
	return 0;
}

static void parse_qe_report(const uint8_t *p, struct tdx_qe_report *r)
{
	memcpy(r->cpu_svn, p, 16);
	r->miscselect = le32(p + 16);
	memcpy(r->isv_ext_prod_id, p + 32, 16);
	memcpy(r->attributes, p + 48, 16);
	memcpy(r->mr_enclave, p + 64, 32);
	memcpy(r->mr_signer, p + 128, 32);
	memcpy(r->config_id, p + 192, 64);
	r->isv_prod_id = le16(p + 256);
	r->isv_svn = le16(p + 258);
	r->config_svn = le16(p + 260);
	memcpy(r->isv_family_id, p + 304, 16);
	memcpy(r->report_data, p + 320, 64);
}

/* Type 6 certification data: exactly cert_data_size bytes at c->off. */
static int parse_qe_report_cert_data(struct cursor *c, struct tdx_quote *q)
{
	size_t end = c->off + q->cert_data_size;
	struct cursor in = { c->buf, end, c->off, c->err, c->errlen };

	if (!have(&in, TDX_QE_REPORT_SIZE + TDX_SIG_SIZE + 2, "the QE report, its signature and auth data size"))
		return -1;
	q->qe_report_raw = in.buf + in.off;
	parse_qe_report(q->qe_report_raw, &q->qe_report);
	in.off += TDX_QE_REPORT_SIZE;
	take(&in, q->qe_report_signature, TDX_SIG_SIZE);
	q->qe_auth_data_len = take16(&in);
	if (!have(&in, q->qe_auth_data_len, "the QE auth data"))
		return -1;
	q->qe_auth_data = in.buf + in.off;
	in.off += q->qe_auth_data_len;
	if (!have(&in, 6, "the inner certification data type and size"))
		return -1;
	q->pck_data_type = take16(&in);
	q->pck_data_size = take32(&in);
	if (q->pck_data_size != in.len - in.off)
		return fail(c, "inner certification data size %u at offset 0x%zx does not match the %zu bytes left in the QE report certification data",
			    q->pck_data_size, in.off - 4, in.len - in.off);
	q->pck_data = in.buf + in.off;
	q->has_qe_report = true;
	c->off = end;
	return 0;
}

static int parse_signature_data(struct cursor *c, struct tdx_quote *q)
{
	size_t fixed = TDX_SIG_SIZE + TDX_ATTEST_KEY_SIZE + 6;

	q->sig_data_len_offset = c->off;
	if (!have(c, 4, "the signature data length"))
		return -1;
	q->sig_data_len = take32(c);
	if (q->sig_data_len > c->len - c->off)
		return fail(c, "signature data length %u at offset 0x%zx runs past the end of the quote (%zu bytes left)",
			    q->sig_data_len, q->sig_data_len_offset, c->len - c->off);
	if (q->sig_data_len < fixed)
		return fail(c, "signature data length %u at offset 0x%zx is below the %zu bytes of signature, key and certification header",
			    q->sig_data_len, q->sig_data_len_offset, fixed);
	/* From here on the signature data is the whole world: nothing reads past it. */
	c->len = c->off + q->sig_data_len;
	take(c, q->signature, TDX_SIG_SIZE);
	take(c, q->attest_key, TDX_ATTEST_KEY_SIZE);
	q->cert_data_type = take16(c);
	q->cert_data_size = take32(c);
	if (q->cert_data_size != c->len - c->off)
		return fail(c, "certification data size %u at offset 0x%zx does not match the signature data length %u (expected %zu)",
			    q->cert_data_size, c->off - 4, q->sig_data_len, c->len - c->off);
	q->cert_data = c->buf + c->off;
	if (q->cert_data_type == TDX_CERT_QE_REPORT)
		return parse_qe_report_cert_data(c, q);
	c->off = c->len;
	return 0;
}

int tdx_quote_parse(const uint8_t *buf, size_t len, struct tdx_quote *q, char *err, size_t errlen)
{
	struct cursor c = { buf, len, 0, err, errlen };

	memset(q, 0, sizeof(*q));
	if (errlen)
		err[0] = '\0';
	if (!buf)
		return fail(&c, "no data");
	if (len > TDX_QUOTE_MAX_SIZE)
		return fail(&c, "%zu bytes is more than the %d a quote can have", len, TDX_QUOTE_MAX_SIZE);
	q->raw = buf;
	q->raw_len = len;
	if (parse_header(&c, &q->header) != 0 || parse_body_descriptor(&c, q) != 0)
		return -1;
	if (!have(&c, q->body_size, "the TD quote body"))
		return -1;
	parse_body(&c, &q->body, q->body_type == TDX_BODY_TYPE_15);
	q->signed_len = c.off;
	if (parse_signature_data(&c, q) != 0)
		return -1;
	q->trailing_len = len - (q->sig_data_len_offset + 4 + q->sig_data_len);
	return 0;
}

const char *tdx_cert_data_type_name(uint16_t type)
{
	switch (type) {
	case TDX_CERT_PPID_CLEAR:        return "PCK identifier: PPID in clear, CPUSVN, PCESVN";
	case TDX_CERT_PPID_RSA2048:      return "PCK identifier: PPID RSA-2048-OAEP encrypted, CPUSVN, PCESVN";
	case TDX_CERT_PPID_RSA3072:      return "PCK identifier: PPID RSA-3072-OAEP encrypted, CPUSVN, PCESVN";
	case TDX_CERT_PCK_LEAF:          return "PCK leaf certificate";
	case TDX_CERT_PCK_CHAIN:         return "PCK certificate chain (PEM)";
	case TDX_CERT_QE_REPORT:         return "QE report certification data";
	case TDX_CERT_PLATFORM_MANIFEST: return "platform manifest";
	default:                         return "unknown";
	}
}
