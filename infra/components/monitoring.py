"""C9 monitoring: a project's CloudWatch alarms on its endpoint (5xx errors, p99 latency) and on
its drift metrics (one per watched feature plus one for any feature), all notifying the on-call
topic. The drift metrics come from the sagestack drift monitor or from SageMaker Model Monitor:
the same alarms, names and topic either way, so the retrain rule does not care which.

The sagestack monitor publishes, per run, whether each feature is in the run's violations file;
its alarms watch that, so a page names exactly the features the violations file lists (the rule
itself, and drift.threshold's part in it, is the drift engine's: docs/drift.md). A run over too
few requests publishes nothing, and a drift alarm treats missing data as "keep the state"."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from sagestack import contract
from sagestack_infra import page_links
from sagestack_infra.components.base import Component

SAGEMAKER_NAMESPACE = "AWS/SageMaker"


@dataclass(frozen=True)
class DriftMetric:
    namespace: str
    metric_name: str
    dimensions: dict[str, str]


def drift_metric(
    endpoint_name: str, feature: str | None, model_monitor_schedule: str | None = None
) -> DriftMetric:
    """What a feature's drift alarm watches (with ``feature=None``, the alarm on any feature).

    The one place that knows the drift metrics' source: the sagestack drift monitor pipeline
    (whether the feature violates, and how many features do), or SageMaker Model Monitor's
    data-quality schedule ``model_monitor_schedule``, which publishes one
    ``feature_baseline_drift_<feature>`` distance per feature and no maximum (see
    :func:`max_drift_expression`).
    """
    if model_monitor_schedule is not None:
        if feature is None:
            raise ValueError("Model Monitor publishes no maximum; use max_drift_expression")
        return DriftMetric(
            contract.MODEL_MONITOR_NAMESPACE,
            contract.model_monitor_metric(feature),
            {
                contract.MODEL_MONITOR_DIM_ENDPOINT: endpoint_name,
                contract.MODEL_MONITOR_DIM_SCHEDULE: model_monitor_schedule,
            },
        )
    if feature is None:
        return DriftMetric(
            contract.DRIFT_NAMESPACE,
            contract.DRIFT_VIOLATIONS_METRIC,
            {contract.DIM_ENDPOINT: endpoint_name},
        )
    return DriftMetric(
        contract.DRIFT_NAMESPACE,
        contract.DRIFT_VIOLATION_METRIC,
        {contract.DIM_ENDPOINT: endpoint_name, contract.DIM_FEATURE: feature},
    )


def max_drift_expression(metrics: list[DriftMetric], period_seconds: int) -> list[dict]:
    """Metric math for the largest of ``metrics`` per period: the aggregate alarm's input where
    the source publishes no maximum of its own."""
    queries = [
        {
            "id": f"m{index}",
            "return_data": False,
            "metric": {
                "namespace": metric.namespace,
                "metric_name": metric.metric_name,
                "dimensions": metric.dimensions,
                "period": period_seconds,
                "stat": "Maximum",
            },
        }
        for index, metric in enumerate(metrics)
    ]
    ids = ",".join(query["id"] for query in queries)
    return [*queries, {"id": "maxdrift", "expression": f"MAX([{ids}])", "return_data": True}]


@dataclass(frozen=True)
class MonitoringArgs:
    model: str
    """The project's name, as on-call sees it in every alarm."""
    endpoint_name: str
    alarm_prefix: str
    drift_features: tuple[str, ...]
    drift_threshold: float
    topic_arn: pulumi.Input[str]
    tags: dict[str, str]
    endpoint_alarms: bool = True
    """Alarm on the SageMaker endpoint's errors and latency; off for Kubernetes serving."""
    error_threshold: int = 5
    """5xx responses per period that page; default 5."""
    latency_p99_threshold_ms: int = 1000
    """p99 model latency that pages, in milliseconds; default 1000."""
    endpoint_period_seconds: int = 300
    endpoint_evaluation_periods: int = 2
    """Consecutive bad periods before an endpoint alarm fires; default 2 (10 minutes)."""
    drift_period_seconds: int = 3600
    """At least the drift monitor's schedule interval, so each period holds one run; default 1 h."""
    model_monitor_schedule: str | None = None
    """Alarm on this SageMaker Model Monitor schedule's metrics instead of the sagestack drift
    monitor's; default None (sagestack)."""
    runbook_base_url: str | None = None
    """Where runbook links point (``sagestack:runbookBaseUrl``); default None: repository paths."""
    report_bucket: pulumi.Input[str] | None = None
    region: pulumi.Input[str] | None = None
    """With both, a drift page says where the window's report is; default None: it does not."""
    rollback_alarms: tuple[str, ...] = ("5xx", "latency-p99")
    """The endpoint alarms (by suffix) that roll a deployment back; default both."""


class Monitoring(Component):
    endpoint_alarm_names: pulumi.Output[list[str]]
    rollback_alarm_names: list[str]
    """The alarms the deploy build hands to SageMaker for automatic rollback."""
    max_drift_alarm_arn: pulumi.Output[str]
    max_drift_alarm_name: pulumi.Output[str]

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("sagestack:monitoring:Monitoring", name, None, opts)
        self._base = name
        self._args = args
        # by name suffix, the one rollback_alarms names them by
        endpoint_alarms = (
            {"5xx": self._create_error_alarm(), "latency-p99": self._create_latency_alarm()}
            if args.endpoint_alarms
            else {}
        )
        self.feature_drift_alarms = [
            self._create_drift_alarm(feature) for feature in args.drift_features
        ]
        self.max_drift_alarm = self._create_drift_alarm(None)
        self.endpoint_alarm_names = pulumi.Output.all(*[a.name for a in endpoint_alarms.values()])
        # their names are known: a plain list, no Output to wait for
        self.rollback_alarm_names = [
            f"{args.alarm_prefix}-{suffix}"
            for suffix in args.rollback_alarms
            if suffix in endpoint_alarms
        ]
        self.max_drift_alarm_arn = self.max_drift_alarm.arn
        self.max_drift_alarm_name = self.max_drift_alarm.name
        self.register_outputs(
            {
                "endpoint_alarm_names": self.endpoint_alarm_names,
                "max_drift_alarm_arn": self.max_drift_alarm_arn,
            }
        )

    def _alarm(
        self,
        suffix: str,
        description: str,
        treat_missing_data: str = "notBreaching",
        **metric,
    ) -> aws.cloudwatch.MetricAlarm:
        args = self._args
        return aws.cloudwatch.MetricAlarm(
            f"{self._base}-{suffix}",
            name=f"{args.alarm_prefix}-{suffix}",
            alarm_description=description,
            alarm_actions=[args.topic_arn],
            ok_actions=[args.topic_arn],
            treat_missing_data=treat_missing_data,
            tags=args.tags,
            opts=self._child(),
            **metric,
        )

    def _endpoint_dimensions(self) -> dict[str, str]:
        return {"EndpointName": self._args.endpoint_name, "VariantName": contract.ENDPOINT_VARIANT}

    def _create_error_alarm(self) -> aws.cloudwatch.MetricAlarm:
        args = self._args
        return self._alarm(
            "5xx",
            f"Model {args.model}: endpoint {args.endpoint_name} returned more than "
            f"{args.error_threshold} 5xx errors per {args.endpoint_period_seconds}s. "
            f"Runbook: {self._runbook(page_links.ENDPOINT_ERRORS)}",
            namespace=SAGEMAKER_NAMESPACE,
            metric_name="Invocation5XXErrors",
            dimensions=self._endpoint_dimensions(),
            statistic="Sum",
            period=args.endpoint_period_seconds,
            evaluation_periods=args.endpoint_evaluation_periods,
            comparison_operator="GreaterThanThreshold",
            threshold=args.error_threshold,
        )

    def _create_latency_alarm(self) -> aws.cloudwatch.MetricAlarm:
        args = self._args
        return self._alarm(
            "latency-p99",
            f"Model {args.model}: endpoint {args.endpoint_name} p99 model latency above "
            f"{args.latency_p99_threshold_ms} ms. "
            f"Runbook: {self._runbook(page_links.ENDPOINT_LATENCY)}",
            namespace=SAGEMAKER_NAMESPACE,
            metric_name="ModelLatency",
            dimensions=self._endpoint_dimensions(),
            extended_statistic="p99",
            period=args.endpoint_period_seconds,
            evaluation_periods=args.endpoint_evaluation_periods,
            comparison_operator="GreaterThanThreshold",
            threshold=args.latency_p99_threshold_ms * 1000,  # ModelLatency is in microseconds
        )

    def _create_drift_alarm(self, feature: str | None) -> aws.cloudwatch.MetricAlarm:
        args = self._args
        if args.model_monitor_schedule is None:
            subject = f"feature {feature} violates" if feature else "a feature violates"
            what = f"{subject} its drift checks (the run's constraint_violations.json says which)"
            rule = {"comparison_operator": "GreaterThanOrEqualToThreshold", "threshold": 1.0}
        else:
            subject = f"feature {feature}" if feature else "the most drifted feature"
            what = (
                f"{subject} drifted past Model Monitor's baseline drift distance "
                f"{args.drift_threshold}"
            )
            rule = {
                "comparison_operator": "GreaterThanThreshold",
                "threshold": args.drift_threshold,
            }
        return self._alarm(
            f"drift-{feature}" if feature else "drift-max",
            self._drift_description(
                f"Model {args.model}: {what} on endpoint {args.endpoint_name}."
            ),
            treat_missing_data="ignore",
            evaluation_periods=1,
            **rule,
            **self._drift_source(feature),
        )

    def _runbook(self, page: str) -> str:
        return page_links.runbook_url(page, self._args.runbook_base_url)

    def _drift_description(self, what: str) -> pulumi.Input[str]:
        """``what`` happened, where the window's report is (when the bucket is known), and the
        runbook."""
        args = self._args
        runbook = f"Runbook: {self._runbook(page_links.FEATURE_DRIFT)}"
        if args.report_bucket is None or args.region is None:
            return f"{what} {runbook}"
        model_monitor = args.model_monitor_schedule is not None
        return pulumi.Output.all(args.report_bucket, args.region).apply(
            lambda where: f"{what} "
            f"{page_links.drift_report_hint(where[0], where[1], args.model, model_monitor)} "
            f"{runbook}"
        )

    def _drift_source(self, feature: str | None) -> dict:
        args = self._args
        schedule = args.model_monitor_schedule
        if feature is None and schedule is not None:
            metrics = [drift_metric(args.endpoint_name, f, schedule) for f in args.drift_features]
            return {"metric_queries": max_drift_expression(metrics, args.drift_period_seconds)}
        metric = drift_metric(args.endpoint_name, feature, schedule)
        return {
            "namespace": metric.namespace,
            "metric_name": metric.metric_name,
            "dimensions": metric.dimensions,
            "statistic": "Maximum",
            "period": args.drift_period_seconds,
        }
