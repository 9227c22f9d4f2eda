"""When the drift monitor itself stops, or the endpoint serves without capturing, on-call is paged
with its runbook, instead of the drift alarms quietly keeping their last state; a project whose
monitor never ran yet (no model deployed) pages nobody. Each test on the dev stack as the applier
deployed it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sagestack.scenarios.alarms import alarm_states, capture_gap_alarm, heartbeat_alarm
from sagestack.scenarios.clock import advance_clock
from sagestack.scenarios.drift import (
    execute_drift_monitor,
    publish_drift_from_window,
    stop_drift_schedule,
    write_baseline,
)
from sagestack.scenarios.endpoint import INVOCATIONS_METRIC, publish_endpoint_counts
from sagestack.scenarios.oncall import pages, subscribe_receiver, wait_for_page
from sagestack.scenarios.samples import request_window, training_sample

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]

OK, ALARM, INSUFFICIENT_DATA = "OK", "ALARM", "INSUFFICIENT_DATA"
# CloudWatch calls data missing only when the whole evaluation range (EvaluationPeriods plus two
# more periods, as in its documented tables) holds none: four periods are past that for sure.
SILENT_PERIODS = 4


def test_a_monitor_that_stops_running_pages_oncall_with_its_runbook(churn, receiver, test_clock):
    subscribe_receiver(churn, receiver)
    alarm = heartbeat_alarm(churn)
    name, period = alarm["AlarmName"], alarm["Period"]
    features = churn.drift_features
    write_baseline(churn, training_sample(features))
    publish_drift_from_window(churn, request_window(features, None), test_clock.now())
    advance_clock(churn.cloud.endpoint, period + 60)
    assert alarm_states(churn, [name]) == {name: OK}  # a completed run: the monitor is alive

    stop_drift_schedule(churn)  # from now on no run starts, as when someone disables the rule
    advance_clock(churn.cloud.endpoint, SILENT_PERIODS * period)

    assert alarm_states(churn, [name]) == {name: INSUFFICIENT_DATA}
    page = wait_for_page(receiver, name, state=INSUFFICIENT_DATA)
    assert page.old_state == OK
    assert f"endpoint {churn.endpoint_name}" in page.description
    assert "Drift is NOT being measured" in page.description
    assert page.description.endswith(
        "Runbook: https://github.com/acme/sagestack/blob/main/docs/runbooks/drift-monitor.md"
    )


def test_a_monitor_that_never_ran_pages_nobody(churn, receiver, test_clock):
    """Before a project's first deploy every run fails for want of a baseline: no page."""
    subscribe_receiver(churn, receiver)
    alarm = heartbeat_alarm(churn)

    advance_clock(churn.cloud.endpoint, SILENT_PERIODS * alarm["Period"])

    assert alarm_states(churn, [alarm["AlarmName"]]) == {alarm["AlarmName"]: INSUFFICIENT_DATA}
    assert [p for p in pages(receiver) if p.alarm_name == alarm["AlarmName"]] == []


def test_an_endpoint_that_serves_without_capturing_pages_oncall_with_its_runbook(
    churn, receiver, test_clock
):
    """The endpoint served 40 requests in the last day and no capture file exists: the drift
    monitor's run (as its own role: the requests, the endpoint, the capture prefix) finds 40
    capture records missing, and the capture-gap alarm pages."""
    subscribe_receiver(churn, receiver)
    alarm = capture_gap_alarm(churn)
    name = alarm["AlarmName"]
    write_baseline(churn, training_sample(churn.drift_features))
    now = test_clock.now()
    publish_endpoint_counts(churn, INVOCATIONS_METRIC, [25, 15], now - timedelta(hours=2), 3600)

    _, log = execute_drift_monitor(churn, now)  # an empty window: no report, still a run
    stop_drift_schedule(churn)  # no scheduled run is left running when the test ends
    advance_clock(churn.cloud.endpoint, alarm["Period"] + 60)  # its period complete

    assert "captured none of them: 40 capture records missing" in log
    assert alarm_states(churn, [name]) == {name: ALARM}
    page = wait_for_page(receiver, name, state=ALARM)
    assert f"endpoint {churn.endpoint_name} served requests over the last day" in page.description
    assert page.description.endswith(
        "Runbook: https://github.com/acme/sagestack/blob/main/docs/runbooks/capture-gap.md"
    )
