/* SPDX-License-Identifier: MIT */
/*
 * The signed statement's part of `kettle verify`: a DSSE envelope (alone or
 * inside a Sigstore bundle) checked against the session key that the
 * evidence bundle's report binds (report -> key -> envelope signature ->
 * statement).  Every step is a named check in the verification's list.
 */
#ifndef KETTLE_PROVENANCE_ENVELOPE_VERIFY_H
#define KETTLE_PROVENANCE_ENVELOPE_VERIFY_H

#include "attest/bundle.h"
#include "attest/check.h"
#include "provenance/dsse.h"

/*
 * Appends envelope.key, envelope.signature, envelope.payload_type and
 * envelope.statement to L.  HINT is the Sigstore bundle's publicKey hint, or
 * NULL for a bare envelope.  The report's binding of the key itself is
 * bundle_verify's binding.statement / binding.key.
 */
void envelope_verify(const struct bundle *b, const struct dsse_envelope *e, const char *hint,
		     struct check_list *l);

#endif
