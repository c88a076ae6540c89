// SPDX-License-Identifier: MIT
/*
 * kettle attest and kettle run --attest with a session key: make the key in
 * memory, bind its public half with the statement into the report, sign the
 * statement's DSSE envelope, write the envelope, the Sigstore bundle and the
 * public key, and free the key (its private half is never written).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attest/evidence.h"
#include "attest/session_key.h"
#include "cli/commands.h"
#include "common/errf.h"
#include "common/file_bytes.h"
#include "provenance/dsse.h"
#include "provenance/sigstore_bundle.h"

static int write_json(const char *path, const json_t *v, char *err, size_t errlen)
{
	char *text = json_dumps(v, JSON_COMPACT);
	int ret;

	if (!text)
		return errf(err, errlen, "%s: out of memory", path);
	ret = file_write_new(path, text, strlen(text), err, errlen);
	free(text);
	return ret;
}

/* PATH, or BUNDLE followed by SUFFIX, into OUT (4096 bytes); 0 or -1 when too long. */
static int output_path(const char *path, const char *bundle, const char *suffix, char out[4096])
{
	int n = path ? snprintf(out, 4096, "%s", path) : snprintf(out, 4096, "%s%s", bundle, suffix);

	return n < 0 || n >= 4096 ? -1 : 0;
}

static int write_signed(EVP_PKEY *key, const uint8_t *spki, size_t spki_len, const struct bundle *b,
			struct attest_cli *a, char *err, size_t errlen)
{
	char id[SESSION_KEY_ID_LEN + 1], *pem;
	json_t *env, *sb;
	int ret = -1;

	if (session_key_id(spki, spki_len, id))
		return errf(err, errlen, "cannot compute the session key's id");
	env = dsse_sign(key, id, DSSE_PAYLOAD_TYPE_INTOTO, b->statement, b->statement_len, err, errlen);
	if (!env)
		return -1;
	sb = sigstore_bundle_make(env, id);
	pem = session_key_public_pem(key, err, errlen);
	if (!sb && pem)
		errf(err, errlen, "out of memory building the Sigstore bundle");
	if (sb && pem && !write_json(a->dsse_out, env, err, errlen) &&
	    !write_json(a->sigstore_out, sb, err, errlen) &&
	    !file_write_new(a->public_key_out, pem, strlen(pem), err, errlen))
		ret = 0;
	free(pem);
	json_decref(sb);
	json_decref(env);
	return ret;
}

int attest_signed(struct attest_cli *a, struct bundle *b, char *err, size_t errlen)
{
	uint8_t spki[SESSION_KEY_SPKI_MAX];
	EVP_PKEY *key;
	int n, ret;

	if (a->unsigned_only && (a->dsse_path || a->sigstore_path || a->public_key_path))
		return errf(err, errlen, "--no-sign writes no DSSE envelope, Sigstore bundle or public key: "
			    "leave out --dsse, --sigstore-bundle and --public-key");
	if (a->unsigned_only)
		return attest_statement(&a->req, b, err, errlen);
	if (output_path(a->dsse_path, a->req.bundle_path, ".dsse.json", a->dsse_out) ||
	    output_path(a->sigstore_path, a->req.bundle_path, ".sigstore.json", a->sigstore_out) ||
	    output_path(a->public_key_path, a->req.bundle_path, ".pub.pem", a->public_key_out))
		return errf(err, errlen, "%s: path too long to name the signed outputs beside it", a->req.bundle_path);
	key = session_key_new(err, errlen);
	if (!key)
		return -1;
	n = session_key_spki(key, spki, err, errlen);
	if (n < 0) {
		EVP_PKEY_free(key);
		return -1;
	}
	a->req.signing_key = spki;
	a->req.signing_key_len = (size_t)n;
	ret = attest_statement(&a->req, b, err, errlen);
	if (!ret && write_signed(key, spki, (size_t)n, b, a, err, errlen)) {
		bundle_free(b);
		ret = -1;
	}
	/* The private half ends here: EVP_PKEY_free clears it before the memory is returned. */
	EVP_PKEY_free(key);
	a->req.signing_key = NULL;
	a->req.signing_key_len = 0;
	return ret;
}
