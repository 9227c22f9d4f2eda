"""CloudWatch alarm evaluation: metric alarms move between OK, ALARM and INSUFFICIENT_DATA from
put_metric_data datapoints on the local cloud's clock; state changes (also from SetAlarmState) run
SNS alarm actions and emit "CloudWatch Alarm State Change" events.

Installed on moto's cloudwatch service by :func:`install` (called by the server at start).
"""

from __future__ import annotations

from sagestack.localcloud import clock
from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.cloudwatch import alarms, models

__all__ = ["install"]


def install() -> None:
    moto_internals.wrap_backend_operation("cloudwatch", "put_metric_alarm", models.put_metric_alarm)
    moto_internals.wrap_backend_operation("cloudwatch", "set_alarm_state", models.set_alarm_state)
    clock.on_tick(alarms.evaluate_due)
    clock.ensure_ticking()
