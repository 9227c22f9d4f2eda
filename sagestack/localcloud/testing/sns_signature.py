"""Verifying an SNS message's signature as a subscriber does, written from AWS's documentation
("Verifying the signatures of Amazon SNS messages"), apart from the local cloud's signer.

The receiver checks every delivery with this, so a signer that drifts from AWS's algorithm (a
field out of order, the wrong digest for a signature version) fails the tests instead of being
verified by its own mirror image. ``tests/localcloud/fixtures/sns`` holds a message signed by
Amazon SNS itself, which this verifier must accept.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# The keys of the string to sign, in the documented (byte-wise sorted) order, per message type.
# A Notification's Subject is included only when the message has one.
SIGNED_KEYS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
    "UnsubscribeConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}
# SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA.
DIGESTS = {"1": hashes.SHA1, "2": hashes.SHA256}


def canonical_string(message: dict[str, Any]) -> bytes | None:
    """Each signed key and its value on lines of their own, or None for an unknown type."""
    keys = SIGNED_KEYS.get(message.get("Type", ""))
    if keys is None:
        return None
    lines = []
    for key in keys:
        if key == "Subject" and "Subject" not in message:
            continue
        if key not in message:
            return None
        lines += [key, str(message[key])]
    return ("\n".join(lines) + "\n").encode("utf-8")


def is_authentic(message: dict[str, Any], certificate_pem: bytes) -> bool:
    """Whether ``message`` was signed with the key of ``certificate_pem``."""
    digest = DIGESTS.get(str(message.get("SignatureVersion", "")))
    signed = canonical_string(message)
    if digest is None or signed is None:
        return False
    try:
        signature = base64.b64decode(message.get("Signature", ""), validate=True)
        key = x509.load_pem_x509_certificate(certificate_pem).public_key()
    except (binascii.Error, ValueError):
        return False
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(signature, signed, padding.PKCS1v15(), digest())
    except InvalidSignature:
        return False
    return True
