// SPDX-License-Identifier: MIT
/* A DSSE envelope against the session key bound in the evidence, and against the attested statement. */
#include "provenance/envelope_verify.h"

#include <string.h>

#include "attest/session_key.h"

/* The key the report binds, when the bundle carries one and the hint (if any) names it. */
static EVP_PKEY *bound_key(const struct bundle *b, const char *hint, struct check_list *l)
{
	char id[SESSION_KEY_ID_LEN + 1], why[160];
	EVP_PKEY *key;

	if (!b->signing_key_len) {
		check_add(l, "envelope.key", false, "the evidence bundle binds no session key (report_data layout 1): "
			  "nothing ties the envelope's signer to the report");
		return NULL;
	}
	key = session_key_from_spki(b->signing_key, b->signing_key_len, why, sizeof(why));
	if (!key) {
		check_add(l, "envelope.key", false, "%s", why);
		return NULL;
	}
	if (session_key_id(b->signing_key, b->signing_key_len, id)) {
		check_add(l, "envelope.key", false, "cannot compute the session key's id");
		EVP_PKEY_free(key);
		return NULL;
	}
	if (hint && strcmp(hint, id)) {
		check_add(l, "envelope.key", false, "the Sigstore bundle names key '%.64s' but the report binds "
			  "key %.16s...: signed by another key", hint, id);
		EVP_PKEY_free(key);
		return NULL;
	}
	check_add(l, "envelope.key", true, "the envelope is checked with the session key the report binds "
		  "(%.16s...)", id);
	return key;
}

void envelope_verify(const struct bundle *b, const struct dsse_envelope *e, const char *hint,
		     struct check_list *l)
{
	EVP_PKEY *key = bound_key(b, hint, l);
	char why[256];
	size_t which = 0;

	if (!key)
		check_add(l, "envelope.signature", false, "not checked: no key bound by the report");
	else if (dsse_verify(e, key, &which, why, sizeof(why)))
		check_add(l, "envelope.signature", false, "%s: not signed by the session key the report binds", why);
	else
		check_add(l, "envelope.signature", true, "signature %zu of %zu (ECDSA P-256 SHA-256 over the DSSE "
			  "PAE) verifies with the session key", which + 1, e->nsigs);
	EVP_PKEY_free(key);
	check_add(l, "envelope.payload_type", !strcmp(e->payload_type, DSSE_PAYLOAD_TYPE_INTOTO),
		  "payloadType is '%s'%s", e->payload_type,
		  strcmp(e->payload_type, DSSE_PAYLOAD_TYPE_INTOTO) ? ", not " DSSE_PAYLOAD_TYPE_INTOTO : "");
	if (e->payload_len == b->statement_len && !memcmp(e->payload, b->statement, b->statement_len))
		check_add(l, "envelope.statement", true, "the envelope's payload is the attested statement, "
			  "byte for byte (%zu bytes)", e->payload_len);
	else
		check_add(l, "envelope.statement", false, "the envelope's payload (%zu bytes) is not the attested "
			  "statement (%zu bytes)", e->payload_len, b->statement_len);
}
