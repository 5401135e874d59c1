"""Verify a Herald webhook signed with Standard Webhooks v1a (ed25519), with the `cryptography` package.

The receiver holds public keys only: the endpoint's `publicKey` (whpk_...) or the tenant's key set,
GET /v1/tenants/{tenantId}/jwks.json. Pass the raw request body as bytes, before any JSON parsing.
"""

import base64
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

TOLERANCE_SECONDS = 300


class WebhookVerificationError(Exception):
    pass


def public_key_from_whpk(whpk: str) -> Ed25519PublicKey:
    if not whpk.startswith("whpk_"):
        raise ValueError("a v1a public key starts with whpk_")
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(whpk[len("whpk_"):], validate=True))


def public_key_from_jwk(jwk: dict) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ValueError("not an Ed25519 JWK")
    x = jwk["x"]
    return Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))


def verify_v1a(public_keys, headers, body: bytes, now=None, tolerance=TOLERANCE_SECONDS) -> None:
    """Returns if one v1a signature in webhook-signature verifies under one of public_keys; raises otherwise."""
    lower = {name.lower(): value for name, value in headers.items()}
    msg_id = lower.get("webhook-id")
    timestamp = lower.get("webhook-timestamp")
    signatures = lower.get("webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise WebhookVerificationError("invalid webhook-timestamp")
    now = int(time.time()) if now is None else now
    if abs(now - int(timestamp)) > tolerance:
        raise WebhookVerificationError("webhook-timestamp outside the tolerance window")
    content = msg_id.encode("utf-8") + b"." + timestamp.encode("ascii") + b"." + body
    for entry in signatures.split(" "):
        version, _, encoded = entry.partition(",")
        if version != "v1a":
            continue  # v1 (HMAC) and unknown versions are not ours to check
        try:
            signature = base64.b64decode(encoded, validate=True)
        except ValueError:
            continue
        for key in public_keys:
            try:
                key.verify(signature, content)
                return
            except InvalidSignature:
                pass
    raise WebhookVerificationError("no v1a signature verifies under the given public keys")
