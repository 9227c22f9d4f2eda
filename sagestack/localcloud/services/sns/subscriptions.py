"""HTTP/HTTPS subscriptions as SNS runs them: pending until confirmed with the token SNS sent in a
SubscriptionConfirmation, then notified on every publish (moto confirms them at once and posts
without confirmation, headers or a verifiable signature).

State lives on moto's subscription objects (``confirmed``, ``attributes``) plus two attributes of
ours, so it is saved and restored with the backends.
"""

from __future__ import annotations

import json
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.sns import http_delivery, messages

HTTP_PROTOCOLS = frozenset({"http", "https"})
PENDING_ARN = "PendingConfirmation"  # what ListSubscriptions shows for an unconfirmed one
_TOKEN = "_sagestack_token"
_ENDPOINT = "_sagestack_endpoint"
FALLBACK_ENDPOINT = "https://sns.{region}.amazonaws.com"


def is_http(subscription: Any) -> bool:
    return subscription.protocol in HTTP_PROTOCOLS


def is_pending(subscription: Any) -> bool:
    return is_http(subscription) and not subscription.confirmed


def endpoint_of(subscription: Any) -> str:
    """The local endpoint's URL the subscription was made through (for the URLs we send)."""
    region = subscription.topic.sns_backend.region_name
    return getattr(subscription, _ENDPOINT, None) or FALLBACK_ENDPOINT.format(region=region)


def signature_version(subscription: Any) -> str:
    return str(getattr(subscription.topic, "signature_version", None) or "1")


def remember_endpoint(subscription: Any, endpoint: str) -> None:
    """The URL of the local endpoint the subscription was made through (for the URLs we send)."""
    setattr(subscription, _ENDPOINT, endpoint)


def request_confirmation(subscription: Any) -> None:
    """Mark a new HTTP/HTTPS subscription pending and send its SubscriptionConfirmation."""
    token = moto_internals.random_hex(128)
    endpoint = endpoint_of(subscription)
    setattr(subscription, _TOKEN, token)
    subscription.confirmed = False
    subscription.attributes.update(
        {"PendingConfirmation": "true", "ConfirmationWasAuthenticated": "false"}
    )
    body = messages.subscription_confirmation(
        topic_arn=subscription.topic.arn,
        token=token,
        endpoint=endpoint,
        signature_version=signature_version(subscription),
    )
    _post(subscription, body, subscription_arn=None)


def find_by_token(backend: Any, topic_arn: str, token: str) -> Any | None:
    for subscription in backend.subscriptions.values():
        if subscription.topic.arn == topic_arn and getattr(subscription, _TOKEN, None) == token:
            return subscription
    return None


def confirm(subscription: Any, authenticated: bool = False) -> None:
    subscription.confirmed = True
    subscription.attributes.update(
        {
            "PendingConfirmation": "false",
            "ConfirmationWasAuthenticated": "true" if authenticated else "false",
        }
    )


def publish(
    original: Any,
    subscription: Any,
    message: str,
    message_id: str,
    subject: str | None = None,
    message_attributes: dict[str, Any] | None = None,
    group_id: str | None = None,
    deduplication_id: str | None = None,
    message_structure: str | None = None,
) -> None:
    """Wrapper of moto's ``Subscription.publish``: HTTP/HTTPS ours, other protocols moto's."""
    if not is_http(subscription):
        original(
            message,
            message_id,
            subject=subject,
            message_attributes=message_attributes,
            group_id=group_id,
            deduplication_id=deduplication_id,
            message_structure=message_structure,
        )
        return
    if is_pending(subscription) or not _passes_filter(subscription, message, message_attributes):
        return
    if message_structure == "json":
        message = _message_for_protocol(message, subscription.protocol)
    if str(subscription.attributes.get("RawMessageDelivery", "false")).lower() == "true":
        _post_raw(subscription, message, message_id)
        return
    body = post_data(subscription, message, message_id, subject, message_attributes)
    _post(subscription, body, subscription_arn=subscription.arn)


def post_data(
    subscription: Any,
    message: str,
    message_id: str,
    subject: str | None,
    message_attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The signed Notification body (also what a wrapped SQS delivery carries)."""
    return messages.notification(
        topic_arn=subscription.topic.arn,
        subscription_arn=subscription.arn,
        message=message,
        message_id=message_id,
        subject=subject,
        message_attributes=message_attributes,
        endpoint=endpoint_of(subscription),
        signature_version=signature_version(subscription),
    )


def wrapped_post_data(original: Any, subscription: Any, *args: Any, **kwargs: Any) -> dict:
    """Wrapper of moto's ``Subscription.get_post_data`` (the body of wrapped SQS deliveries)."""
    return post_data(subscription, *args, **kwargs)


def _passes_filter(subscription: Any, message: str, attributes: dict[str, Any] | None) -> bool:
    matcher = getattr(subscription, "_filter_policy_matcher", None)
    return matcher is None or matcher.matches(attributes, message)


def _message_for_protocol(message: str, protocol: str) -> str:
    structured = json.loads(message)
    return structured.get(protocol) or structured["default"]


def _post(subscription: Any, body: dict[str, Any], subscription_arn: str | None) -> None:
    http_delivery.SENDER.send(
        subscription.endpoint,
        json.dumps(body),
        messages.headers(body["Type"], body["MessageId"], body["TopicArn"], subscription_arn),
    )


def _post_raw(subscription: Any, message: str, message_id: str) -> None:
    http_delivery.SENDER.send(
        subscription.endpoint,
        message,
        messages.headers(
            messages.NOTIFICATION, message_id, subscription.topic.arn, subscription.arn, raw=True
        ),
    )
