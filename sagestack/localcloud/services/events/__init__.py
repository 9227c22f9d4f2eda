"""EventBridge delivery: rules match events with AWS's pattern semantics and invoke SNS, SQS,
CodeBuild and SageMaker pipeline targets with Input / InputPath / InputTransformer applied;
rate() rules fire on the local cloud's clock.

Installed on moto's events service by :func:`install` (called by the server at start).
"""

from __future__ import annotations

from sagestack.localcloud import clock
from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.events import delivery_log, rule_delivery, schedules, validation
from sagestack.localcloud.services.events.delivery_log import DELIVERIES, Delivery

__all__ = ["DELIVERIES", "Delivery", "install"]


def install() -> None:
    from sagestack.localcloud.services.events.responses import EventsResponse

    moto_internals.extend_service("events", EventsResponse)
    moto_internals.wrap_backend_operation("events", "put_rule", validation.validated_rule)
    moto_internals.wrap_backend_operation("events", "put_rule", schedules.anchored_put_rule)
    moto_internals.wrap_backend_operation("events", "put_targets", validation.validated_targets)
    moto_internals.wrap_model_method(
        "events", "Rule", "send_to_targets", rule_delivery.send_to_targets
    )
    moto_internals.register_route(delivery_log.ROUTE, delivery_log.http_app)
    moto_internals.on_reset(DELIVERIES.clear)
    clock.on_tick(schedules.fire_due)
    clock.ensure_ticking()
