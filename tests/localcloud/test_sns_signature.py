"""SNS signatures as AWS makes them: the local cloud's signer is checked against a verifier written
apart from it from AWS's documentation, and that verifier against a message Amazon SNS signed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509

from sagestack.localcloud.services.sns import signing
from sagestack.localcloud.testing.sns_signature import is_authentic

FIXTURES = Path(__file__).parent / "fixtures" / "sns"

NOTIFICATION = {
    "Type": "Notification",
    "MessageId": "6f1e3b1c-0000-4000-8000-000000000001",
    "TopicArn": "arn:aws:sns:us-east-1:123456789012:oncall",
    "Subject": "ALARM: drift",
    "Message": '{"AlarmName": "drift"}',
    "Timestamp": "2026-12-05T10:00:00.000Z",
}
CONFIRMATION = {
    "Type": "SubscriptionConfirmation",
    "MessageId": "6f1e3b1c-0000-4000-8000-000000000002",
    "TopicArn": "arn:aws:sns:us-east-1:123456789012:oncall",
    "Message": "You have chosen to subscribe to the topic",
    "Timestamp": "2026-12-05T10:00:00.000Z",
    "Token": "2336412f37fb687f5d51e6e2425c464de",
    "SubscribeURL": "http://127.0.0.1:4566/?Action=ConfirmSubscription&Token=2336412f",
}


def _signed(message: dict, version: str) -> dict:
    return {
        **message,
        "SignatureVersion": version,
        "Signature": signing.signer().sign(message, version),
    }


def test_a_message_signed_by_amazon_sns_is_authentic():
    message = json.loads((FIXTURES / "aws-sample-notification.json").read_text())
    certificate = (FIXTURES / "aws-sample-certificate.pem").read_bytes()
    assert is_authentic(message, certificate)
    assert not is_authentic({**message, "Subject": "this is cooked"}, certificate)
    assert not is_authentic({**message, "SignatureVersion": "2"}, certificate)


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize(
    "message",
    [NOTIFICATION, {k: v for k, v in NOTIFICATION.items() if k != "Subject"}, CONFIRMATION],
    ids=["notification", "notification-without-subject", "subscription-confirmation"],
)
def test_the_local_signer_signs_as_sns_documents_it(message, version):
    signed = _signed(message, version)
    assert is_authentic(signed, signing.signer().certificate_pem)


@pytest.mark.parametrize("field", ["Message", "Subject", "Timestamp", "TopicArn", "MessageId"])
def test_a_changed_field_breaks_the_signature(field):
    signed = _signed(NOTIFICATION, "2")
    assert not is_authentic({**signed, field: "changed"}, signing.signer().certificate_pem)


def test_a_signature_of_one_version_does_not_verify_as_the_other():
    signed = _signed(NOTIFICATION, "1")
    assert not is_authentic({**signed, "SignatureVersion": "2"}, signing.signer().certificate_pem)


def test_a_message_of_an_unknown_type_or_with_a_broken_signature_is_not_authentic():
    certificate = signing.signer().certificate_pem
    signed = _signed(NOTIFICATION, "1")
    assert not is_authentic({**signed, "Type": "Surprise"}, certificate)
    assert not is_authentic({**signed, "Signature": "not base64!"}, certificate)
    assert not is_authentic({k: v for k, v in signed.items() if k != "Signature"}, certificate)


def test_the_signing_certificate_is_named_and_made_as_sns_s_are():
    """A 2048-bit RSA certificate valid now, at a URL named like SNS's own
    (SimpleNotificationService-<32 hex digits>.pem)."""
    signer = signing.signer()
    certificate = x509.load_pem_x509_certificate(signer.certificate_pem)
    now = datetime.now(UTC)
    assert certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc
    assert certificate.public_key().key_size == 2048
    assert re.fullmatch(r"SimpleNotificationService-[0-9a-f]{32}\.pem", signer.certificate_name)
