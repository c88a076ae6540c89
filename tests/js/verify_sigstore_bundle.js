#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Verifies a Sigstore bundle with sigstore-js (@sigstore/bundle to load and
// validate it, @sigstore/verify to check it), offline and key-based: the trust
// material has no CA, no transparency log and no timestamp authority, the key
// is the PEM given, found by the bundle's publicKey hint, and the verifier asks
// for 0 tlog entries, 0 SCTs and 0 timestamps.
//
// Usage: verify_sigstore_bundle.js BUNDLE PUBLIC_KEY_PEM
// Exit 0 and "OK" when it verifies; 1 with one line on stderr otherwise.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

function main() {
  const [bundlePath, keyPath] = process.argv.slice(2);
  if (!bundlePath || !keyPath) {
    console.error('usage: verify_sigstore_bundle.js BUNDLE PUBLIC_KEY_PEM');
    return 2;
  }
  try {
    const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
    const publicKey = crypto.createPublicKey(fs.readFileSync(keyPath, 'utf8'));
    // The one trusted key is named by its id (hex SHA-256 of its SPKI DER, as kettle writes the hint).
    const keyId = crypto.createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
    const findKey = (hint) => {
      if (hint !== keyId) {
        throw new Error(`the bundle names key '${hint}', not the given key ${keyId}`);
      }
      return { publicKey, validFor: () => true };
    };
    const root = { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [] };
    const trust = toTrustMaterial(root, findKey);
    const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
    verifier.verify(toSignedEntity(bundle));
  } catch (e) {
    console.error(`bundle rejected: ${e.code ? e.code + ': ' : ''}${e.message}`);
    return 1;
  }
  console.log('OK');
  return 0;
}
process.exitCode = main();
