"""SNS operations whose HTTP/HTTPS behaviour moto does not have: Subscribe sends a
SubscriptionConfirmation and answers "pending confirmation", ConfirmSubscription checks the token,
the subscription lists show unconfirmed ones as "PendingConfirmation" and GetTopicAttributes
counts pending and confirmed subscriptions.
"""

from __future__ import annotations

from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.exceptions import InvalidParameterException
from sagestack.localcloud.services.sns import subscriptions

PENDING_RESPONSE_ARN = "pending confirmation"  # what Subscribe answers for an unconfirmed one


class SnsResponse(moto_internals.moto_responses_class("sns")):  # type: ignore[misc]
    def publish(self) -> Any:
        targets = ("TopicArn", "TargetArn", "PhoneNumber")
        if not any(self._get_param(name) for name in targets):
            raise InvalidParameterException(
                "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"
            )
        self._check_topic_arn()
        return super().publish()

    def _check_topic_arn(self) -> None:
        """moto splits the ARN into its six parts without looking; SNS refuses it."""
        arn = self._get_param("TopicArn")
        if arn is not None and (len(arn.split(":")) < 6 or not arn.startswith("arn:")):
            raise InvalidParameterException("Invalid parameter: TopicArn")

    def subscribe(self) -> Any:
        protocol = self._get_param("Protocol")
        endpoint = self._get_param("Endpoint")
        topic_arn = self._get_param("TopicArn")
        self._check_topic_arn()
        if protocol in subscriptions.HTTP_PROTOCOLS and not str(endpoint).startswith(
            f"{protocol}://"
        ):
            raise InvalidParameterException(
                f"Invalid parameter: Endpoint '{endpoint}' is not an {protocol}:// URL, as "
                f"protocol {protocol} requires"
            )
        existed = self.backend._find_subscription(topic_arn, endpoint, protocol) is not None
        result = super().subscribe()
        subscription = self.backend._find_subscription(topic_arn, endpoint, protocol)
        if not existed:
            subscriptions.remember_endpoint(subscription, self._endpoint_url())
        if protocol not in subscriptions.HTTP_PROTOCOLS:
            return result
        if not existed:
            subscriptions.request_confirmation(subscription)
        return_arn = str(self._get_param("ReturnSubscriptionArn", "")).lower() == "true"
        if subscriptions.is_pending(subscription) and not return_arn:
            return moto_internals.ActionResult({"SubscriptionArn": PENDING_RESPONSE_ARN})
        return result

    def confirm_subscription(self) -> Any:
        self._check_topic_arn()
        topic_arn = self._get_param("TopicArn")
        token = self._get_param("Token")
        self.backend.get_topic(topic_arn)  # NotFound for an unknown topic, as moto does
        subscription = subscriptions.find_by_token(self.backend, topic_arn, token or "")
        if subscription is None:
            raise InvalidParameterException("Invalid parameter: Token")
        subscriptions.confirm(subscription, authenticated=bool(self.headers.get("Authorization")))
        return moto_internals.ActionResult({"SubscriptionArn": subscription.arn})

    def get_topic_attributes(self) -> Any:
        result = super().get_topic_attributes()
        listed = dict(result.result)
        topic_arn = listed["Attributes"]["TopicArn"]
        mine = [s for s in self.backend.subscriptions.values() if s.topic.arn == topic_arn]
        pending = sum(1 for s in mine if subscriptions.is_pending(s))
        listed["Attributes"] = {
            **listed["Attributes"],
            "SubscriptionsPending": pending,
            "SubscriptionsConfirmed": len(mine) - pending,
        }
        return moto_internals.ActionResult(listed)

    def list_subscriptions(self) -> Any:
        return _shown_pending(super().list_subscriptions())

    def list_subscriptions_by_topic(self) -> Any:
        return _shown_pending(super().list_subscriptions_by_topic())

    def _endpoint_url(self) -> str:
        scheme = "https" if self.headers.get("X-Forwarded-Proto") == "https" else "http"
        return f"{scheme}://{self.headers.get('Host')}"


def _shown_pending(result: Any) -> Any:
    listed = dict(result.result)
    listed["Subscriptions"] = [
        {
            "SubscriptionArn": (
                subscriptions.PENDING_ARN if subscriptions.is_pending(s) else s.arn
            ),
            "Owner": s.owner,
            "Protocol": s.protocol,
            "Endpoint": s.endpoint,
            "TopicArn": s.topic.arn,
        }
        for s in listed["Subscriptions"]
    ]
    return moto_internals.ActionResult(listed)
