"""P9 feedback loop: when a project's maximum drift alarm enters ALARM, an EventBridge rule starts
its training pipeline again, through a role that may start that pipeline and nothing else."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from sagestack import contract
from sagestack_infra import iam
from sagestack_infra.components.base import Component
from sagestack_infra.grants import ServiceRole

ALARM = "ALARM"


@dataclass(frozen=True)
class FeedbackLoopArgs:
    rule_name: str
    alarm_name: str
    """The alarm whose transition into ALARM starts retraining (the project's max drift alarm)."""
    pipeline_name: str
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    tags: dict[str, str]
    pipeline_parameters: dict[str, str] = field(default_factory=dict)
    """SageMaker pipeline parameters for the retraining run; default none (pipeline defaults)."""


def alarm_event_pattern(alarm_name: str) -> dict:
    return {
        "source": ["aws.cloudwatch"],
        "detail-type": [contract.ALARM_STATE_CHANGE],
        "detail": {"alarmName": [alarm_name], "state": {"value": [ALARM]}},
    }


def start_pipeline_target(
    name: str,
    *,
    rule: aws.cloudwatch.EventRule,
    pipeline_arn: pulumi.Input[str],
    role_name: str,
    parameters: Mapping[str, pulumi.Input[str]],
    account_id: pulumi.Input[str],
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> aws.cloudwatch.EventTarget:
    """``rule``'s target that starts a SageMaker pipeline with ``parameters``, through a role that
    may start that pipeline and nothing else (also the drift monitor's schedules)."""
    role = ServiceRole(
        f"{name}-role",
        role_name,
        service="events.amazonaws.com",
        tags=tags,
        parent=parent,
        source_account=account_id,
        source_arn=rule.arn,
    )
    role.allow(iam.allow(iam.PIPELINE_START_ACTIONS, [pipeline_arn]))
    start = role.attach()
    return aws.cloudwatch.EventTarget(
        f"{name}-target",
        rule=rule.name,
        arn=pipeline_arn,
        role_arn=role.arn,
        sagemaker_pipeline_target={
            "pipeline_parameter_lists": [
                {"name": key, "value": value} for key, value in sorted(parameters.items())
            ]
        },
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[start]),
    )


class FeedbackLoop(Component):
    rule_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: FeedbackLoopArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("sagestack:feedback:FeedbackLoop", name, None, opts)
        pipeline_arn = iam.arn(
            "sagemaker", args.region, args.account_id, f"pipeline/{args.pipeline_name}"
        )
        self.rule = aws.cloudwatch.EventRule(
            f"{name}-rule",
            name=args.rule_name,
            description=f"Retrain {args.pipeline_name} when {args.alarm_name} enters ALARM",
            event_pattern=json.dumps(alarm_event_pattern(args.alarm_name)),
            tags=args.tags,
            opts=self._child(),
        )
        start_pipeline_target(
            name,
            rule=self.rule,
            pipeline_arn=pipeline_arn,
            role_name=args.rule_name,
            parameters=args.pipeline_parameters,
            account_id=args.account_id,
            tags=args.tags,
            parent=self,
        )
        self.rule_arn = self.rule.arn
        self.register_outputs({"rule_arn": self.rule_arn})
