// SPDX-License-Identifier: MIT
/* DSSE envelopes: PAE, ECDSA P-256 signing and verification, JSON both ways. */
#include "provenance/dsse.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/errf.h"

int dsse_pae(const char *type, const uint8_t *payload, size_t len, uint8_t **out, size_t *outlen)
{
	size_t tlen = strlen(type), cap = tlen + len + 64;
	uint8_t *p;
	int head;

	*out = NULL;
	if (len > SIZE_MAX - tlen - 64 || !(p = malloc(cap)))
		return -1;
	head = snprintf((char *)p, cap, "DSSEv1 %zu %s %zu ", tlen, type, len);
	if (head < 0 || (size_t)head + len >= cap) {
		free(p);
		return -1;
	}
	if (len)
		memcpy(p + head, payload, len);
	*out = p;
	*outlen = (size_t)head + len;
	return 0;
}

static int sign_pae(EVP_PKEY *key, const uint8_t *pae, size_t n, uint8_t sig[DSSE_SIG_MAX], size_t *siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	*siglen = DSSE_SIG_MAX;
	ok = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	     EVP_DigestSign(ctx, sig, siglen, pae, n) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

json_t *dsse_sign(EVP_PKEY *key, const char *keyid, const char *type, const uint8_t *payload, size_t len,
		  char *err, size_t errlen)
{
	uint8_t *pae, sig[DSSE_SIG_MAX];
	size_t pae_len, sig_len;
	char *b64_payload = NULL, *b64_sig = NULL;
	json_t *env = NULL;

	if (dsse_pae(type, payload, len, &pae, &pae_len)) {
		errf(err, errlen, "DSSE: cannot build the PAE of %zu bytes", len);
		return NULL;
	}
	if (sign_pae(key, pae, pae_len, sig, &sig_len)) {
		free(pae);
		errf(err, errlen, "DSSE: ECDSA P-256 signing failed (OpenSSL)");
		return NULL;
	}
	free(pae);
	b64_payload = base64_encode(payload, len);
	b64_sig = base64_encode(sig, sig_len);
	if (b64_payload && b64_sig)
		env = json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "payload", b64_payload, "payloadType", type,
				"signatures", "keyid", keyid, "sig", b64_sig);
	free(b64_payload);
	free(b64_sig);
	if (!env)
		errf(err, errlen, "DSSE: out of memory building the envelope");
	return env;
}

static int string_field(const json_t *obj, const char *key, const char **out, size_t *len, const char *where,
			char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);

	if (!v)
		return errf(err, errlen, "%s has no '%s'", where, key);
	if (!json_is_string(v))
		return errf(err, errlen, "%s: '%s' is not a string", where, key);
	*out = json_string_value(v);
	*len = json_string_length(v);
	return 0;
}

static int signature_from_json(const json_t *s, size_t i, struct dsse_signature *d, char *err, size_t errlen)
{
	const json_t *keyid = json_object_get(s, "keyid");
	const char *text;
	char where[48], why[160];
	uint8_t *sig;
	size_t n;

	snprintf(where, sizeof(where), "DSSE signature %zu", i);
	if (!json_is_object(s))
		return errf(err, errlen, "%s is not an object", where);
	if (keyid && (!json_is_string(keyid) || json_string_length(keyid) > DSSE_KEYID_MAX))
		return errf(err, errlen, "%s: 'keyid' is not a string of at most %d bytes", where, DSSE_KEYID_MAX);
	if (keyid)
		snprintf(d->keyid, sizeof(d->keyid), "%s", json_string_value(keyid));
	if (string_field(s, "sig", &text, &n, where, err, errlen))
		return -1;
	if (base64_decode(text, n, DSSE_SIG_MAX, &sig, &d->sig_len, why, sizeof(why)))
		return errf(err, errlen, "%s: 'sig': %s", where, why);
	memcpy(d->sig, sig, d->sig_len);
	free(sig);
	if (!d->sig_len)
		return errf(err, errlen, "%s: 'sig' is empty", where);
	return 0;
}

int dsse_from_json(const json_t *obj, struct dsse_envelope *e, char *err, size_t errlen)
{
	const json_t *sigs;
	const char *text;
	char why[160];
	size_t n;

	memset(e, 0, sizeof(*e));
	if (!json_is_object(obj))
		return errf(err, errlen, "a DSSE envelope must be a JSON object");
	if (string_field(obj, "payloadType", &text, &n, "DSSE envelope", err, errlen))
		return -1;
	if (n > DSSE_TYPE_MAX || strlen(text) != n)
		return errf(err, errlen, "DSSE envelope: 'payloadType' of %zu bytes is not a media type", n);
	memcpy(e->payload_type, text, n + 1);
	if (string_field(obj, "payload", &text, &n, "DSSE envelope", err, errlen))
		return -1;
	if (base64_decode(text, n, DSSE_PAYLOAD_MAX, &e->payload, &e->payload_len, why, sizeof(why)))
		return errf(err, errlen, "DSSE envelope: 'payload': %s", why);
	sigs = json_object_get(obj, "signatures");
	if (!json_is_array(sigs) || json_array_size(sigs) == 0 || json_array_size(sigs) > DSSE_SIGS_MAX) {
		dsse_envelope_free(e);
		return errf(err, errlen, "DSSE envelope: 'signatures' must be an array of 1 to %d signatures",
			    DSSE_SIGS_MAX);
	}
	for (size_t i = 0; i < json_array_size(sigs); i++) {
		if (signature_from_json(json_array_get(sigs, i), i, &e->sigs[i], err, errlen)) {
			dsse_envelope_free(e);
			return -1;
		}
		e->nsigs++;
	}
	return 0;
}

int dsse_decode(const uint8_t *buf, size_t len, struct dsse_envelope *e, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	int ret;

	memset(e, 0, sizeof(*e));
	if (len > DSSE_FILE_MAX)
		return errf(err, errlen, "DSSE envelope of %zu bytes, larger than the limit of %u", len, DSSE_FILE_MAX);
	root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return errf(err, errlen, "DSSE envelope is not JSON: line %d column %d: %s", jerr.line, jerr.column,
			    jerr.text);
	ret = dsse_from_json(root, e, err, errlen);
	json_decref(root);
	return ret;
}

static bool verify_one(EVP_PKEY *key, const uint8_t *pae, size_t n, const struct dsse_signature *s)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok;

	ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	     EVP_DigestVerify(ctx, s->sig, s->sig_len, pae, n) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

int dsse_verify(const struct dsse_envelope *e, EVP_PKEY *key, size_t *which, char *err, size_t errlen)
{
	uint8_t *pae;
	size_t n;

	if (dsse_pae(e->payload_type, e->payload, e->payload_len, &pae, &n))
		return errf(err, errlen, "DSSE: cannot build the PAE (out of memory)");
	for (size_t i = 0; i < e->nsigs; i++) {
		if (verify_one(key, pae, n, &e->sigs[i])) {
			free(pae);
			if (which)
				*which = i;
			return 0;
		}
	}
	free(pae);
	return errf(err, errlen, "none of the envelope's %zu signature%s verifies with the key over "
		    "PAE(payloadType, payload)", e->nsigs, e->nsigs == 1 ? "" : "s");
}

void dsse_envelope_free(struct dsse_envelope *e)
{
	free(e->payload);
	memset(e, 0, sizeof(*e));
}
