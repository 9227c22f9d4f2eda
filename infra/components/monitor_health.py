"""C9 monitoring of the monitor: a page when the drift monitor of a project's endpoint stops
completing runs (a failed execution, a stopped or deleted schedule, a pipeline it can no longer
start), and a page when the endpoint serves requests without capturing them, so that neither a
dead monitor nor an empty window ever reads as "no drift".

Every run that completes publishes the monitor's heartbeat (``contract.DRIFT_HEARTBEAT_METRIC``,
``pipelines/drift_monitor/heartbeat.py``); the alarm here watches it.

Why INSUFFICIENT_DATA pages rather than ALARM: before a project's first deploy there is no
baseline, so every scheduled run fails, and a "missing heartbeat is breaching" alarm would page
each new project every night until its first model ships. Treating missing data as missing keeps
a new alarm in INSUFFICIENT_DATA (its state at creation, which notifies nobody) until the first
run completes and moves it to OK; from then on, heartbeats that stop coming move it back to
INSUFFICIENT_DATA, and that transition notifies the on-call topic. CloudWatch calls the data
missing only when no datapoint is left in the whole evaluation range, a few periods longer than
EvaluationPeriods, so the page comes after about three schedule intervals without a run.

The capture-gap alarm watches what every completed run publishes next to its heartbeat
(``contract.DRIFT_MISSING_CAPTURE_METRIC``, ``pipelines/drift_monitor/capture_gap.py``): the
capture records missing over the last day for variants that served requests and captured none.
It pages from MISSING_CAPTURE_THRESHOLD records: with requests sampled at random, a day that
should hold that many and holds none is chance with odds of e^-10 (Poisson), while a quiet
endpoint sampled at a few percent that legitimately captured nothing stays below it. Missing data
(no run) is the heartbeat's to page, so here it is calm.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from sagestack import contract
from sagestack_infra import page_links
from sagestack_infra.components.base import Component

MISSING_CAPTURE_THRESHOLD = 10


@dataclass(frozen=True)
class MonitorHealthArgs:
    model: str
    """The project's name, as on-call sees it in the page."""
    endpoint_name: str
    alarm_name: str
    capture_gap_alarm_name: str | None
    """None for an endpoint SageMaker does not serve: no Invocations to compare with."""
    monitor_pipeline_name: str
    schedule_rule_name: str
    period_seconds: int
    """The drift monitor's schedule interval: one heartbeat per period when all is well."""
    topic_arn: pulumi.Input[str]
    tags: dict[str, str]
    runbook_base_url: str | None = None
    """Where the runbook link points (``sagestack:runbookBaseUrl``); default None: its path."""


class MonitorHealth(Component):
    heartbeat_alarm_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: MonitorHealthArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("sagestack:monitoring:MonitorHealth", name, None, opts)
        self.heartbeat_alarm = aws.cloudwatch.MetricAlarm(
            f"{name}-heartbeat",
            name=args.alarm_name,
            alarm_description=_description(args),
            namespace=contract.DRIFT_NAMESPACE,
            metric_name=contract.DRIFT_HEARTBEAT_METRIC,
            dimensions={contract.DIM_ENDPOINT: args.endpoint_name},
            statistic="SampleCount",
            period=args.period_seconds,
            evaluation_periods=1,
            # a datapoint is a completed run: only its absence matters (see the module's why)
            comparison_operator="LessThanThreshold",
            threshold=1,
            treat_missing_data="missing",
            insufficient_data_actions=[args.topic_arn],
            ok_actions=[args.topic_arn],
            alarm_actions=[args.topic_arn],
            tags=args.tags,
            opts=self._child(),
        )
        if args.capture_gap_alarm_name is not None:
            self.capture_gap_alarm = self._create_capture_gap_alarm(name, args)
        self.heartbeat_alarm_name = self.heartbeat_alarm.name
        self.register_outputs({"heartbeat_alarm_name": self.heartbeat_alarm_name})

    def _create_capture_gap_alarm(
        self, name: str, args: MonitorHealthArgs
    ) -> aws.cloudwatch.MetricAlarm:
        return aws.cloudwatch.MetricAlarm(
            f"{name}-capture-gap",
            name=args.capture_gap_alarm_name,
            alarm_description=_capture_gap_description(args),
            namespace=contract.DRIFT_NAMESPACE,
            metric_name=contract.DRIFT_MISSING_CAPTURE_METRIC,
            dimensions={contract.DIM_ENDPOINT: args.endpoint_name},
            statistic="Maximum",
            period=args.period_seconds,
            evaluation_periods=1,
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=MISSING_CAPTURE_THRESHOLD,
            treat_missing_data="notBreaching",
            ok_actions=[args.topic_arn],
            alarm_actions=[args.topic_arn],
            tags=args.tags,
            opts=self._child(),
        )


def _capture_gap_description(args: MonitorHealthArgs) -> str:
    runbook = page_links.runbook_url(page_links.CAPTURE_GAP, args.runbook_base_url)
    return (
        f"Model {args.model}: endpoint {args.endpoint_name} served requests over the last day "
        f"and wrote no data capture for them (at least {MISSING_CAPTURE_THRESHOLD} capture "
        "records missing). Drift is NOT being measured: check the endpoint's DataCaptureConfig "
        f"(describe-endpoint) and that it can still write its capture prefix. Runbook: {runbook}"
    )


def _description(args: MonitorHealthArgs) -> str:
    runbook = page_links.runbook_url(page_links.DRIFT_MONITOR_SILENT, args.runbook_base_url)
    return (
        f"Model {args.model}: the drift monitor of endpoint {args.endpoint_name} has completed "
        f"no run for several {args.period_seconds}s intervals (INSUFFICIENT_DATA: its heartbeat "
        f"stopped). Drift is NOT being measured: check {args.monitor_pipeline_name}'s recent "
        f"executions and the schedule rule {args.schedule_rule_name}. Runbook: {runbook}"
    )
