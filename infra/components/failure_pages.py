"""C9 monitoring: a project's failures page on-call, not only its alarms. A training pipeline run
that fails, a build or deploy build that fails, an endpoint that fails or rolls back: each is an
EventBridge rule on the event AWS documents for it (source, detail-type, detail keys), targeting
the on-call topic with an input transformer that writes the page: which project, what failed,
where its log is, which runbook to open.

A pull request's failed build is the developer's feedback and does not page, unless the project
asks for it: CodeBuild's event carries the build's source version, ``pr/<number>`` for a pull
request's build, a commit for a push.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from sagestack_infra import iam
from sagestack_infra.components.base import Component
from sagestack_infra.components.log_groups import endpoint_log_group
from sagestack_infra.config.names import FAILURE_RULE_SUFFIXES
from sagestack_infra.page_links import BUILD_FAILED, ENDPOINT_FAILED, PIPELINE_FAILED, runbook_url

PIPELINE_EXECUTION_STATUS_CHANGE = "SageMaker Model Building Pipeline Execution Status Change"
BUILD_STATE_CHANGE = "CodeBuild Build State Change"
ENDPOINT_STATE_CHANGE = "SageMaker Endpoint State Change"
# CodeBuild's build-status values for a build that did not succeed (STOPPED is someone's choice).
FAILED_BUILD_STATUSES = ("FAILED", "FAULT", "TIMED_OUT")
# The event spells DescribeEndpoint's statuses in capitals (IN_SERVICE): Failed; RollingBack (an
# update rolling back); UpdateRollbackFailed (the rollback failed too, fleets mixed).
FAILED_ENDPOINT_STATUSES = ("FAILED", "ROLLING_BACK", "UPDATE_ROLLBACK_FAILED")
PULL_REQUEST_SOURCE_VERSION = "pr/"


def pipeline_failed_pattern(pipeline_arn: str) -> dict[str, Any]:
    return {
        "source": ["aws.sagemaker"],
        "detail-type": [PIPELINE_EXECUTION_STATUS_CHANGE],
        "detail": {"pipelineArn": [pipeline_arn], "currentPipelineExecutionStatus": ["Failed"]},
    }


def build_failed_pattern(project_names: list[str], pull_requests: bool) -> dict[str, Any]:
    """A failed build of one of ``project_names``; without ``pull_requests``, not a pull
    request's (its source version is pr/<n>; a build with no source version, absent or null,
    still counts)."""
    detail: dict[str, Any] = {
        "project-name": list(project_names),
        "build-status": list(FAILED_BUILD_STATUSES),
    }
    if not pull_requests:
        detail["$or"] = [
            {
                "additional-information": {
                    "source-version": [{"anything-but": {"prefix": PULL_REQUEST_SOURCE_VERSION}}]
                }
            },
            {"additional-information": {"source-version": [{"exists": False}]}},
            {"additional-information": {"source-version": [None]}},  # StartBuild without one
        ]
    return {"source": ["aws.codebuild"], "detail-type": [BUILD_STATE_CHANGE], "detail": detail}


def endpoint_failed_pattern(endpoint_name: str) -> dict[str, Any]:
    return {
        "source": ["aws.sagemaker"],
        "detail-type": [ENDPOINT_STATE_CHANGE],
        "detail": {
            "EndpointName": [endpoint_name],
            "EndpointStatus": list(FAILED_ENDPOINT_STATUSES),
        },
    }


def page_template(page: dict[str, str]) -> str:
    """The input template: the page as JSON, its ``<variables>`` inside strings, which
    EventBridge fills with the event's values escaped."""
    return json.dumps(page)


@dataclass(frozen=True)
class FailurePage:
    """One rule and what its page says."""

    suffix: str
    description: str
    pattern: dict[str, Any]
    input_paths: dict[str, str]
    page: dict[str, str]


@dataclass(frozen=True)
class FailurePagesArgs:
    project: str
    rule_prefix: str
    """``<namePrefix>-<project>``: each rule is ``<rule_prefix>-`` and the suffix of what it
    pages for (``FAILURE_RULE_SUFFIXES``)."""
    pipeline_name: str
    build_project_names: tuple[str, ...]
    """The build and the deploy build."""
    endpoint_name: str | None
    """None: the project has no SageMaker endpoint (Kubernetes serving)."""
    topic_arn: pulumi.Input[str]
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    tags: dict[str, str]
    pull_request_builds: bool = False
    """Page for a pull request's failed build too; default off."""
    runbook_base_url: str | None = None
    """Where runbook links point (``sagestack:runbookBaseUrl``); default None: repository paths."""


class FailurePages(Component):
    def __init__(
        self, name: str, args: FailurePagesArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("sagestack:monitoring:FailurePages", name, None, opts)
        self._base = name
        self._args = args
        pages = [self._pipeline_page(), self._build_page()]
        if args.endpoint_name is not None:
            pages.append(self._endpoint_page(args.endpoint_name))
        self.rules = [self._create_rule(page) for page in pages]
        self.register_outputs({"rule_arns": [rule.arn for rule in self.rules]})

    def _runbook(self, page: str) -> str:
        return runbook_url(page, self._args.runbook_base_url)

    def _summary(self, what: str) -> str:
        return f"sagestack {self._args.project}: {what}"

    def _pipeline_page(self) -> FailurePage:
        a = self._args
        pipeline_arn = iam.arn("sagemaker", a.region, a.account_id, f"pipeline/{a.pipeline_name}")
        return FailurePage(
            suffix=FAILURE_RULE_SUFFIXES["pipeline"],
            description=f"Page on-call when a run of {a.pipeline_name} fails",
            pattern=pipeline_failed_pattern(pipeline_arn),
            input_paths={"execution": "$.detail.pipelineExecutionArn", "time": "$.time"},
            page={
                "summary": self._summary("training pipeline run failed"),
                "project": a.project,
                "failed": "<execution>",
                "at": "<time>",
                "logs": "the failed step's job in CloudWatch Logs /aws/sagemaker/ProcessingJobs "
                "or /aws/sagemaker/TrainingJobs; find the step with aws sagemaker "
                "list-pipeline-execution-steps --pipeline-execution-arn <execution>",
                "runbook": self._runbook(PIPELINE_FAILED),
            },
        )

    def _build_page(self) -> FailurePage:
        a = self._args
        return FailurePage(
            suffix=FAILURE_RULE_SUFFIXES["build"],
            description=f"Page on-call when {', '.join(a.build_project_names)} fails",
            pattern=build_failed_pattern(list(a.build_project_names), a.pull_request_builds),
            input_paths={
                "build": "$.detail.build-id",
                "status": "$.detail.build-status",
                "source": "$.detail.additional-information.source-version",
                "logs": "$.detail.additional-information.logs.deep-link",
            },
            page={
                # the final event's current-phase is always COMPLETED: the log says which failed
                "summary": self._summary("build <status>"),
                "project": a.project,
                "failed": "<build>",
                "source": "<source>",
                "logs": "<logs>",
                "runbook": self._runbook(BUILD_FAILED),
            },
        )

    def _endpoint_page(self, endpoint_name: str) -> FailurePage:
        a = self._args
        return FailurePage(
            suffix=FAILURE_RULE_SUFFIXES["endpoint"],
            description=f"Page on-call when endpoint {endpoint_name} fails or rolls back",
            pattern=endpoint_failed_pattern(endpoint_name),
            input_paths={
                "status": "$.detail.EndpointStatus",
                "config": "$.detail.EndpointConfigName",
            },
            page={
                "summary": self._summary(f"endpoint {endpoint_name} is <status>"),
                "project": a.project,
                "failed": f"endpoint {endpoint_name} with endpoint config <config>",
                "logs": f"CloudWatch Logs {endpoint_log_group(endpoint_name)}",
                "runbook": self._runbook(ENDPOINT_FAILED),
            },
        )

    def _create_rule(self, page: FailurePage) -> aws.cloudwatch.EventRule:
        a = self._args
        rule = aws.cloudwatch.EventRule(
            f"{self._base}-{page.suffix}",
            name=f"{a.rule_prefix}-{page.suffix}",
            description=page.description,
            event_pattern=json.dumps(page.pattern),
            tags=a.tags,
            opts=self._child(),
        )
        aws.cloudwatch.EventTarget(
            f"{self._base}-{page.suffix}-target",
            rule=rule.name,
            arn=a.topic_arn,
            input_transformer={
                "input_paths": page.input_paths,
                "input_template": page_template(page.page),
            },
            opts=self._child(),
        )
        return rule
