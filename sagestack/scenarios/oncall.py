"""On-call: a receiver subscribed to the platform's on-call topic over HTTP, and the pages
(CloudWatch alarm notifications) it gets."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from sagestack.localcloud import (
    NOTIFICATION,
    SUBSCRIPTION_CONFIRMATION,
    SnsReceiver,
)
from sagestack.scenarios.project import Project

ALARM = "ALARM"
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Page:
    """An alarm notification as on-call reads it."""

    subject: str
    alarm_name: str
    state: str
    old_state: str
    description: str
    reason: str

    @classmethod
    def from_notification(cls, body: dict[str, Any]) -> Page | None:
        """The page in an SNS Notification body; None when its message is not an alarm's."""
        try:
            message = json.loads(body.get("Message") or "")
        except json.JSONDecodeError:
            return None
        if not isinstance(message, dict) or "AlarmName" not in message:
            return None
        return cls(
            subject=body.get("Subject") or "",
            alarm_name=message["AlarmName"],
            state=message["NewStateValue"],
            old_state=message["OldStateValue"],
            description=message.get("AlarmDescription") or "",
            reason=message.get("NewStateReason") or "",
        )


def subscribe_receiver(project: Project, receiver: SnsReceiver, timeout: float = 10.0) -> str:
    """Subscribe ``receiver`` to the project's on-call topic over HTTP and wait until the
    subscription is confirmed (the receiver visits the SubscribeURL); returns its ARN."""
    sns = project.client("sns")
    arn = sns.subscribe(
        TopicArn=project.topic_arn,
        Protocol="http",
        Endpoint=receiver.url,
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    receiver.wait_for(1, SUBSCRIPTION_CONFIRMATION, timeout=timeout)
    deadline = time.monotonic() + timeout
    while (
        sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"].get(
            "PendingConfirmation"
        )
        != "false"
    ):
        if time.monotonic() > deadline:
            raise TimeoutError(f"subscription {arn} of {receiver.url} was not confirmed")
        time.sleep(POLL_SECONDS)
    return arn


def pages(receiver: SnsReceiver) -> list[Page]:
    """Every alarm notification the receiver accepted, oldest first."""
    found = (Page.from_notification(m.body) for m in receiver.messages(NOTIFICATION))
    return [page for page in found if page is not None]


def wait_for_page(
    receiver: SnsReceiver, alarm_name: str, state: str = ALARM, timeout: float = 10.0
) -> Page:
    """The first page saying ``alarm_name`` entered ``state``; TimeoutError naming what came."""
    deadline = time.monotonic() + timeout
    while True:
        received = pages(receiver)
        for page in received:
            if page.alarm_name == alarm_name and page.state == state:
                return page
        if time.monotonic() > deadline:
            seen = [f"{p.alarm_name} -> {p.state}" for p in received]
            raise TimeoutError(
                f"no page for {alarm_name} -> {state} within {timeout} s; "
                f"received: {seen or 'none'}"
            )
        time.sleep(POLL_SECONDS)
