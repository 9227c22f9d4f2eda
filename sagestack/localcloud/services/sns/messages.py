"""SNS's JSON bodies for HTTP/HTTPS subscribers (and wrapped SQS deliveries) and their headers.

The local URLs in them (SubscribeURL, SigningCertURL, UnsubscribeURL) point at the endpoint the
subscriber's topic was reached through, under :data:`ROUTE_PREFIX`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.sns import signing

ROUTE_PREFIX = "/_sagestack/sns/"
CONFIRM_PATH = ROUTE_PREFIX + "confirm"
UNSUBSCRIBE_PATH = ROUTE_PREFIX + "unsubscribe"
DELIVERIES_PATH = ROUTE_PREFIX + "deliveries"
USER_AGENT = "Amazon Simple Notification Service Agent"
NOTIFICATION = "Notification"
SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation"


def certificate_path() -> str:
    return ROUTE_PREFIX + signing.signer().certificate_name


def sns_timestamp(moment: datetime | None = None) -> str:
    """``2024-01-02T03:04:05.678Z``, as SNS stamps messages."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _signed(body: dict[str, Any], endpoint: str, signature_version: str) -> dict[str, Any]:
    body["SignatureVersion"] = signature_version
    body["Signature"] = signing.signer().sign(body, signature_version)
    body["SigningCertURL"] = endpoint + certificate_path()
    return body


def notification(
    *,
    topic_arn: str,
    subscription_arn: str,
    message: str,
    message_id: str,
    subject: str | None,
    message_attributes: dict[str, Any] | None,
    endpoint: str,
    signature_version: str = "1",
) -> dict[str, Any]:
    """A Notification body, signed, in SNS's field order."""
    body: dict[str, Any] = {"Type": NOTIFICATION, "MessageId": message_id, "TopicArn": topic_arn}
    if subject is not None:
        body["Subject"] = subject
    body["Message"] = message
    body["Timestamp"] = sns_timestamp()
    _signed(body, endpoint, signature_version)
    body["UnsubscribeURL"] = (
        endpoint + UNSUBSCRIBE_PATH + "?" + urlencode({"SubscriptionArn": subscription_arn})
    )
    if message_attributes:
        body["MessageAttributes"] = {
            name: {"Type": value["Type"], "Value": value["Value"]}
            for name, value in message_attributes.items()
        }
    return body


def subscription_confirmation(
    *, topic_arn: str, token: str, endpoint: str, signature_version: str = "1"
) -> dict[str, Any]:
    """A SubscriptionConfirmation body, signed; GET on its SubscribeURL confirms."""
    body: dict[str, Any] = {
        "Type": SUBSCRIPTION_CONFIRMATION,
        "MessageId": moto_internals.random_uuid(),
        "Token": token,
        "TopicArn": topic_arn,
        "Message": (
            f"You have chosen to subscribe to the topic {topic_arn}.\n"
            "To confirm the subscription, visit the SubscribeURL included in this message."
        ),
        "SubscribeURL": endpoint
        + CONFIRM_PATH
        + "?"
        + urlencode({"Action": "ConfirmSubscription", "TopicArn": topic_arn, "Token": token}),
        "Timestamp": sns_timestamp(),
    }
    return _signed(body, endpoint, signature_version)


def headers(
    body_type: str, message_id: str, topic_arn: str, subscription_arn: str | None, raw: bool = False
) -> dict[str, str]:
    """The headers SNS sends with an HTTP/HTTPS delivery."""
    sent = {
        "Content-Type": "text/plain; charset=UTF-8",
        "User-Agent": USER_AGENT,
        "x-amz-sns-message-type": body_type,
        "x-amz-sns-message-id": message_id,
        "x-amz-sns-topic-arn": topic_arn,
    }
    if subscription_arn is not None:
        sent["x-amz-sns-subscription-arn"] = subscription_arn
    if raw:
        sent["x-amz-sns-rawdelivery"] = "true"
    return sent
