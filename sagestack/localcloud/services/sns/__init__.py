"""SNS delivery to HTTP/HTTPS subscribers as SNS does it: SubscriptionConfirmation first (with
SubscribeURL and Token), Notification once confirmed, SNS's headers and signed JSON bodies; wrapped
SQS deliveries carry the same signed body. :mod:`.receiver` is a subscriber for tests and the demo.

Installed on moto's sns service by :func:`install` (called by the server at start).
"""

from __future__ import annotations

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.sns import messages, routes, subscriptions
from sagestack.localcloud.services.sns.http_delivery import SENDER

__all__ = ["SENDER", "install"]


def install() -> None:
    from sagestack.localcloud.services.sns.responses import SnsResponse

    moto_internals.extend_service("sns", SnsResponse)
    moto_internals.wrap_model_method("sns", "Subscription", "publish", subscriptions.publish)
    moto_internals.wrap_model_method(
        "sns", "Subscription", "get_post_data", subscriptions.wrapped_post_data
    )
    moto_internals.register_route(messages.ROUTE_PREFIX, routes.app, stateful_get=True)
    moto_internals.on_reset(SENDER.clear)
