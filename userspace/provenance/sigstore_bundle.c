// SPDX-License-Identifier: MIT
/* Sigstore bundle v0.3 around a DSSE envelope, with a public-key hint as verification material. */
#include "provenance/sigstore_bundle.h"

#include <stdio.h>
#include <string.h>

#include "common/errf.h"

json_t *sigstore_bundle_make(json_t *envelope, const char *hint)
{
	return json_pack("{s:s, s:{s:{s:s}, s:[]}, s:O}", "mediaType", SIGSTORE_BUNDLE_MEDIA_TYPE,
			 "verificationMaterial", "publicKey", "hint", hint, "tlogEntries", "dsseEnvelope", envelope);
}

static int material(const json_t *root, char *hint, char *err, size_t errlen)
{
	const json_t *vm = json_object_get(root, "verificationMaterial");
	const json_t *pk = json_object_get(vm, "publicKey"), *h = json_object_get(pk, "hint");
	const json_t *tlog = json_object_get(vm, "tlogEntries");

	if (!json_is_object(vm))
		return errf(err, errlen, "Sigstore bundle has no 'verificationMaterial' object");
	if (!json_is_object(pk))
		return errf(err, errlen, "Sigstore bundle's verification material is not a public key (%s): "
			    "kettle checks bundles signed by its session key",
			    json_object_get(vm, "certificate") || json_object_get(vm, "x509CertificateChain")
				    ? "a certificate" : "missing");
	if (!json_is_string(h) || json_string_length(h) > SIGSTORE_HINT_MAX ||
	    strlen(json_string_value(h)) != json_string_length(h))
		return errf(err, errlen, "Sigstore bundle: 'publicKey.hint' is not a string of at most %d bytes",
			    SIGSTORE_HINT_MAX);
	if (tlog && !json_is_array(tlog))
		return errf(err, errlen, "Sigstore bundle: 'tlogEntries' is not an array");
	snprintf(hint, SIGSTORE_HINT_MAX + 1, "%s", json_string_value(h));
	return 0;
}

static int from_json(const json_t *root, struct dsse_envelope *e, char *hint, char *err, size_t errlen)
{
	const json_t *mt = json_object_get(root, "mediaType");
	char why[256];

	if (!json_is_object(root))
		return errf(err, errlen, "a Sigstore bundle must be a JSON object");
	if (!json_is_string(mt))
		return errf(err, errlen, "not a Sigstore bundle: no 'mediaType' string");
	if (strcmp(json_string_value(mt), SIGSTORE_BUNDLE_MEDIA_TYPE))
		return errf(err, errlen, "Sigstore bundle of media type '%.80s': kettle reads %s",
			    json_string_value(mt), SIGSTORE_BUNDLE_MEDIA_TYPE);
	if (material(root, hint, err, errlen))
		return -1;
	if (!json_object_get(root, "dsseEnvelope"))
		return errf(err, errlen, "Sigstore bundle holds no 'dsseEnvelope'%s",
			    json_object_get(root, "messageSignature") ? " (a messageSignature instead)" : "");
	if (dsse_from_json(json_object_get(root, "dsseEnvelope"), e, why, sizeof(why)))
		return errf(err, errlen, "Sigstore bundle: %s", why);
	return 0;
}

int sigstore_bundle_decode(const uint8_t *buf, size_t len, struct dsse_envelope *e, char *hint, char *err,
			   size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	int ret;

	memset(e, 0, sizeof(*e));
	hint[0] = '\0';
	if (len > DSSE_FILE_MAX)
		return errf(err, errlen, "Sigstore bundle of %zu bytes, larger than the limit of %u", len,
			    DSSE_FILE_MAX);
	root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return errf(err, errlen, "Sigstore bundle is not JSON: line %d column %d: %s", jerr.line,
			    jerr.column, jerr.text);
	ret = from_json(root, e, hint, err, errlen);
	json_decref(root);
	return ret;
}
