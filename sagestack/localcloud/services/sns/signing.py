"""Signing SNS messages the way SNS does, so subscribers can verify them as they would in AWS.

SNS signs the canonical "string to sign" of a message (its documented fields, each as
``name\\nvalue\\n``, in order) with RSA: SHA1 for SignatureVersion 1 (the default), SHA256 for 2.
The local cloud signs with one key whose self-signed certificate it serves at SigningCertURL.
Subscribers verify with their own code (:mod:`sagestack.localcloud.testing.sns_signature` for
the tests' receiver), never with this module's.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_CONFIRMATION_FIELDS = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)
_HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}


def string_to_sign(message: dict[str, Any]) -> str:
    """The canonical text SNS signs for ``message`` (absent optional fields are skipped)."""
    fields = _NOTIFICATION_FIELDS if message["Type"] == "Notification" else _CONFIRMATION_FIELDS
    return "".join(f"{name}\n{message[name]}\n" for name in fields if message.get(name) is not None)


def _hash_for(version: str) -> hashes.HashAlgorithm:
    if version not in _HASHES:
        raise ValueError(f"SignatureVersion '{version}' is invalid: expected 1 or 2")
    return _HASHES[version]()


@dataclass(frozen=True)
class Signer:
    key: rsa.RSAPrivateKey
    certificate_pem: bytes

    @property
    def certificate_name(self) -> str:
        """Named after the certificate, as SNS names its rotated ones: a new key, a new URL."""
        digest = hashlib.sha256(self.certificate_pem).hexdigest()[:32]
        return f"SimpleNotificationService-{digest}.pem"

    def sign(self, message: dict[str, Any], version: str) -> str:
        signature = self.key.sign(
            string_to_sign(message).encode(), padding.PKCS1v15(), _hash_for(version)
        )
        return base64.b64encode(signature).decode()


_signer: Signer | None = None
_lock = threading.Lock()


def signer() -> Signer:
    """The local cloud's signing key and certificate (made once per process)."""
    global _signer
    with _lock:
        if _signer is None:
            _signer = _new_signer()
        return _signer


def _new_signer() -> Signer:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return Signer(key, certificate.public_bytes(serialization.Encoding.PEM))
