#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Verifies a DSSE envelope with Debian's securesystemslib (python3-securesystemslib,
installed with in-toto by tools/install-deps), the library in-toto signs and verifies with.

Usage: verify_dsse_securesystemslib.py ENVELOPE PUBLIC_KEY_PEM [--time RUNS]
  (--time: print the median thread CPU milliseconds of RUNS verifications, for tools/bench/verify)
Exit 0 and "OK" when a signature verifies; 1 and one line on stderr when none does.

Debian 12's securesystemslib 0.26 and in-toto 1.3.1 predate their DSSE Envelope
classes (securesystemslib.dsse / in_toto.models.metadata.Envelope arrived in later
releases), so this script does the envelope's framing itself, from the DSSE
protocol (v1.0): base64-decode payload and sig, build PAE(payloadType, payload).
The cryptographic check is the library's own: SSlibKey (keytype ecdsa, scheme
ecdsa-sha2-nistp256) verify_signature over the PAE, which is what its Envelope
class does in the releases that have it.
"""
import base64
import hashlib
import json
import sys
import time

from securesystemslib.signer import SSlibKey, Signature
from securesystemslib import exceptions


def pae(payload_type: str, payload: bytes) -> bytes:
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def verify(envelope: dict, key: SSlibKey) -> bool:
    payload = base64.b64decode(envelope["payload"], validate=True)
    data = pae(envelope["payloadType"], payload)
    for s in envelope["signatures"]:
        # securesystemslib's signature dicts carry hex; DSSE carries base64 of the same DER bytes
        sig = Signature(key.keyid, base64.b64decode(s["sig"], validate=True).hex())
        try:
            key.verify_signature(sig, data)
            return True
        except (exceptions.VerificationError, exceptions.UnverifiedSignatureError):
            continue
    return False


def main() -> int:
    if len(sys.argv) not in (3, 5):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], "rb") as f:
            envelope = json.loads(f.read())
        with open(sys.argv[2]) as f:
            pem = f.read()
        keyid = hashlib.sha256(pem.encode()).hexdigest()  # securesystemslib wants a hex key id
        key = SSlibKey(keyid, "ecdsa", "ecdsa-sha2-nistp256", {"public": pem})
        if len(sys.argv) == 5:
            runs = int(sys.argv[4])
            t = []
            for _ in range(runs):
                t0 = time.thread_time()
                ok = verify(envelope, key)
                t.append(time.thread_time() - t0)
            t.sort()
            print("%.3f" % (t[len(t) // 2] * 1000))
            return 0 if ok else 1
        ok = verify(envelope, key)
    except (ValueError, KeyError, TypeError, exceptions.Error) as e:
        print("envelope rejected: %s" % e, file=sys.stderr)
        return 1
    if not ok:
        print("envelope rejected: no signature verifies with the key", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
