"""Runs docs/receivers/verify_v1a.py (Python's `cryptography`) over the v1a test vectors.

Usage: python3 check_v1a_vectors.py <vectors.json> <verify_v1a.py>. Prints one JSON line per vector:
{"name", "kind", "verified", "publicKeyMatches"}; the vitest test decides what is right.
"""

import base64
import importlib.util
import json
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def load(path):
    spec = importlib.util.spec_from_file_location("verify_v1a", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def derived_whpk(whsk):
    seed = base64.b64decode(whsk[len("whsk_"):], validate=True)[:32]
    raw = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "whpk_" + base64.b64encode(raw).decode("ascii")


def attempt(verifier, keys, case, header):
    headers = {"webhook-id": case["msgId"], "webhook-timestamp": str(case["timestamp"]), "webhook-signature": header}
    try:
        verifier.verify_v1a(keys, headers, case["payload"].encode("utf-8"), now=case["timestamp"])
        return True
    except verifier.WebhookVerificationError:
        return False


def main():
    vectors = json.load(open(sys.argv[1], encoding="utf-8"))
    verifier = load(sys.argv[2])
    keys = vectors["keys"]
    for name, key in keys.items():
        matches = derived_whpk(key["secretKey"]) == key["publicKey"] == derived_whpk(key["secretKeyWithPublic"])
        from_jwk = verifier.public_key_from_jwk(key["jwk"]).public_bytes(Encoding.Raw, PublicFormat.Raw)
        matches = matches and from_jwk == base64.b64decode(key["publicKey"][len("whpk_"):])
        print(json.dumps({"name": name, "kind": "key", "verified": matches}))
    for case in vectors["valid"]:
        key = verifier.public_key_from_whpk(keys[case["key"]]["publicKey"])
        print(json.dumps({"name": case["name"], "kind": "valid", "verified": attempt(verifier, [key], case, case["signature"])}))
    rotation = vectors["rotation"]
    for key_name in rotation["verifiesWith"]:
        key = verifier.public_key_from_whpk(keys[key_name]["publicKey"])
        verified = attempt(verifier, [key], rotation, rotation["webhookSignature"])
        print(json.dumps({"name": f"{rotation['name']}/{key_name}", "kind": "valid", "verified": verified}))
    for case in vectors["invalid"]:
        key = verifier.public_key_from_whpk(keys[case["key"]]["publicKey"])
        verified = attempt(verifier, [key], case, case["webhookSignature"])
        print(json.dumps({"name": case["name"], "kind": "invalid", "verified": verified}))


main()
