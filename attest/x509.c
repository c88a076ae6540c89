// SPDX-License-Identifier: MIT
/* The OpenSSL certificate helpers attestation needs. */
#include "attest/x509.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "common/file_bytes.h"

/* The reason of OpenSSL's last error, for messages; clears the queue. */
static const char *openssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "no detail";
}

X509 *x509_from_der(const void *der, size_t len, char *err, size_t errlen)
{
	const unsigned char *p = der;
	X509 *c;

	if (len == 0 || len > X509_INPUT_MAX) {
		snprintf(err, errlen, "DER certificate of %zu bytes (expected 1..%d)",
			 len, X509_INPUT_MAX);
		return NULL;
	}
	ERR_clear_error();      /* the reason quoted below must be this call's */
	c = d2i_X509(NULL, &p, (long)len);
	if (!c) {
		snprintf(err, errlen, "not a DER X.509 certificate (%s)", openssl_reason());
		return NULL;
	}
	if (p != (const unsigned char *)der + len) {
		snprintf(err, errlen, "%zu bytes follow the DER certificate",
			 len - (size_t)(p - (const unsigned char *)der));
		X509_free(c);
		return NULL;
	}
	return c;
}

int x509_list_add(struct x509_list *list, X509 *cert)
{
	if (list->n >= X509_LIST_MAX || !X509_up_ref(cert))
		return -1;
	list->certs[list->n++] = cert;
	return 0;
}

void x509_list_free(struct x509_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		X509_free(list->certs[i]);
	memset(list, 0, sizeof(*list));
}

/* Reads every PEM certificate of BUF into TMP; returns how many or -1. */
static int read_pem(const void *buf, size_t len, X509 **tmp, size_t room,
		    char *err, size_t errlen)
{
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	size_t n = 0;

	if (!bio) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (;;) {
		X509 *c;

		ERR_clear_error();
		c = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		if (!c) {
			unsigned long e = ERR_peek_last_error();

			if (n > 0 && ERR_GET_LIB(e) == ERR_LIB_PEM &&
			    ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
				ERR_clear_error();
				break;  /* no further certificate: the normal end */
			}
			if (n == 0 && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
				snprintf(err, errlen, "neither a DER certificate nor PEM text with a certificate");
			else
				snprintf(err, errlen, "PEM certificate %zu is malformed (%s)",
					 n + 1, openssl_reason());
			goto fail;
		}
		if (n == room) {
			X509_free(c);
			snprintf(err, errlen, "more than %zu certificates", room);
			goto fail;
		}
		tmp[n++] = c;
	}
	BIO_free(bio);
	return (int)n;
fail:
	ERR_clear_error();
	BIO_free(bio);
	for (size_t i = 0; i < n; i++)
		X509_free(tmp[i]);
	return -1;
}

/* True when BUF is one DER SEQUENCE spanning all LEN bytes: a certificate, not text. */
static bool der_sequence_spans(const uint8_t *p, size_t len)
{
	size_t hdr = 2, body = 0;

	if (len < 2 || p[0] != 0x30)
		return false;
	if (p[1] < 0x80)
		return p[1] == len - hdr;
	if (p[1] == 0x80 || p[1] > 0x84)
		return false;   /* indefinite, or longer than any input we accept */
	hdr += p[1] & 0x7f;
	if (len < hdr)
		return false;
	for (size_t i = 2; i < hdr; i++)
		body = body << 8 | p[i];
	return body == len - hdr;
}

/*
 * DER or PEM: a leading 0x30 alone does not say, since PEM text may start
 * with any line ("0 s:/CN=..." from openssl s_client) before its BEGIN line.
 * A SEQUENCE spanning the buffer is DER; else text with a BEGIN line is PEM;
 * else a leading SEQUENCE tag is broken DER, so its error speaks of DER.
 */
static bool looks_like_der(const void *buf, size_t len)
{
	static const char begin[] = "-----BEGIN ";

	if (der_sequence_spans(buf, len))
		return true;
	if (memmem(buf, len, begin, sizeof(begin) - 1))
		return false;
	return ((const uint8_t *)buf)[0] == 0x30;
}

int x509_list_add_buffer(struct x509_list *list, const void *buf, size_t len,
			 char *err, size_t errlen)
{
	X509 *tmp[X509_LIST_MAX];
	size_t room = X509_LIST_MAX - list->n;
	int n;

	if (len == 0) {
		snprintf(err, errlen, "empty certificate input");
		return -1;
	}
	if (len > X509_INPUT_MAX) {
		snprintf(err, errlen, "certificate input of %zu bytes is larger than %d",
			 len, X509_INPUT_MAX);
		return -1;
	}
	if (room == 0) {
		snprintf(err, errlen, "more than %d certificates", X509_LIST_MAX);
		return -1;
	}
	if (looks_like_der(buf, len)) {
		tmp[0] = x509_from_der(buf, len, err, errlen);
		n = tmp[0] ? 1 : -1;
	} else {
		n = read_pem(buf, len, tmp, room, err, errlen);
	}
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++)
		list->certs[list->n++] = tmp[i];
	return n;
}

int x509_list_add_file(struct x509_list *list, const char *path, char *err, size_t errlen)
{
	char why[200];
	uint8_t *buf;
	size_t len;
	int n;

	if (file_read_bounded(path, X509_INPUT_MAX, &buf, &len, err, errlen) < 0)
		return -1;
	n = x509_list_add_buffer(list, buf, len, why, sizeof(why));
	if (n < 0)
		snprintf(err, errlen, "%s: %s", path, why);
	free(buf);
	return n;
}

int x509_sha256(X509 *cert, uint8_t out[X509_SHA256_LEN])
{
	unsigned char *der = NULL;
	unsigned int mdlen = 0;
	int len = i2d_X509(cert, &der);
	int ok;

	if (len <= 0)
		return -1;
	ok = EVP_Digest(der, (size_t)len, out, &mdlen, EVP_sha256(), NULL);
	OPENSSL_free(der);
	return ok == 1 && mdlen == X509_SHA256_LEN ? 0 : -1;
}

static int asn1_time_to_unix(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = timegm(&tm);
	return 0;
}

int x509_validity(X509 *cert, time_t *not_before, time_t *not_after)
{
	if (asn1_time_to_unix(X509_get0_notBefore(cert), not_before) < 0 ||
	    asn1_time_to_unix(X509_get0_notAfter(cert), not_after) < 0)
		return -1;
	return 0;
}

void x509_time_str(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, outlen, "@%lld", (long long)t);
}

bool x509_valid_at(X509 *cert, time_t now, char *reason, size_t reasonlen)
{
	time_t nb, na;
	char a[32], b[32];

	if (x509_validity(cert, &nb, &na) < 0) {
		snprintf(reason, reasonlen, "unreadable validity dates");
		return false;
	}
	x509_time_str(now, b, sizeof(b));
	if (now < nb) {
		x509_time_str(nb, a, sizeof(a));
		snprintf(reason, reasonlen, "not valid before %s (time checked: %s)", a, b);
		return false;
	}
	if (now > na) {
		x509_time_str(na, a, sizeof(a));
		snprintf(reason, reasonlen, "expired at %s (time checked: %s)", a, b);
		return false;
	}
	x509_time_str(na, a, sizeof(a));
	snprintf(reason, reasonlen, "valid at %s (until %s)", b, a);
	return true;
}

bool x509_signed_by(X509 *cert, X509 *issuer, char *reason, size_t reasonlen)
{
	EVP_PKEY *key;
	int r;

	ERR_clear_error();      /* the reason quoted below must be this call's */
	key = X509_get0_pubkey(issuer);
	if (!key) {
		snprintf(reason, reasonlen, "the issuer's public key cannot be read (%s)",
			 openssl_reason());
		return false;
	}
	r = X509_verify(cert, key);
	if (r != 1) {
		snprintf(reason, reasonlen, "signature does not verify with the issuer's key (%s)",
			 r < 0 ? openssl_reason() : "bad signature");
		ERR_clear_error();
		return false;
	}
	snprintf(reason, reasonlen, "signature verifies with the issuer's key");
	return true;
}

static int name_cn(const X509_NAME *name, char *out, size_t outlen)
{
	int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	const ASN1_STRING *s;
	int len;

	out[0] = '\0';
	if (i < 0)
		return 0;
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	len = s ? ASN1_STRING_length(s) : 0;
	if (len < 0 || (size_t)len >= outlen)
		return -1;
	memcpy(out, ASN1_STRING_get0_data(s), (size_t)len);
	out[len] = '\0';
	/* a NUL inside the name would let "A\0B" pass as "A" */
	if (strlen(out) != (size_t)len) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

int x509_subject_cn(X509 *cert, char *out, size_t outlen)
{
	return name_cn(X509_get_subject_name(cert), out, outlen);
}

int x509_issuer_cn(X509 *cert, char *out, size_t outlen)
{
	return name_cn(X509_get_issuer_name(cert), out, outlen);
}

X509 *x509_list_find_cn(const struct x509_list *list, const char *cn)
{
	char buf[X509_CN_MAX];

	for (size_t i = 0; i < list->n; i++)
		if (x509_subject_cn(list->certs[i], buf, sizeof(buf)) == 0 && !strcmp(buf, cn))
			return list->certs[i];
	return NULL;
}

int x509_extension(X509 *cert, const char *oid, const uint8_t **value, size_t *len)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	const ASN1_OCTET_STRING *data;
	X509_EXTENSION *ext;
	int i;

	if (!obj) {
		ERR_clear_error();
		return -1;
	}
	i = X509_get_ext_by_OBJ(cert, obj, -1);
	ASN1_OBJECT_free(obj);
	if (i < 0)
		return 1;
	ext = X509_get_ext(cert, i);
	data = ext ? X509_EXTENSION_get_data(ext) : NULL;
	if (!data)
		return 1;
	*value = ASN1_STRING_get0_data(data);
	*len = (size_t)ASN1_STRING_length(data);
	return 0;
}

int x509_add_extension_der(X509 *x, const char *oid, const uint8_t *der, int len)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e = NULL;
	int ok = obj && os && ASN1_OCTET_STRING_set(os, der, len) == 1 &&
		 (e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os)) && X509_add_ext(x, e, -1) == 1;

	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
	return ok ? 0 : -1;
}

int x509_add_extension_u8(X509 *x, const char *oid, uint8_t v)
{
	const uint8_t short_form[] = { 0x02, 0x01, v }, long_form[] = { 0x02, 0x02, 0x00, v };

	/* a DER INTEGER >= 0x80 needs a leading zero byte to stay positive */
	return v < 0x80 ? x509_add_extension_der(x, oid, short_form, sizeof(short_form))
			: x509_add_extension_der(x, oid, long_form, sizeof(long_form));
}
