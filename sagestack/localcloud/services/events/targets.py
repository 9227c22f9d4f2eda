"""Invoking a rule's target the way EventBridge does: SNS Publish, SQS SendMessage, CodeBuild
StartBuild, SageMaker StartPipelineExecution, each on the local cloud's backends.

A target invocation that fails raises :class:`TargetError` with the error code the service would
have returned; the caller records it (EventBridge itself only counts FailedInvocations).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore.exceptions import ParamValidationError
from botocore.validate import ParamValidator

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.events.transform import resolve_dynamic


class TargetError(Exception):
    """A target invocation failed with ``code`` (an AWS error code) and ``message``."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Arn:
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> Arn:
        parts = text.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            raise TargetError("InvalidArn", f"target ARN '{text}' is not an ARN")
        return cls(service=parts[2], region=parts[3], account=parts[4], resource=parts[5])

    def resource_name(self, kind: str) -> str:
        prefix = f"{kind}/"
        if not self.resource.startswith(prefix):
            raise TargetError("InvalidArn", f"'{self.resource}' is not a {kind} ARN resource")
        return self.resource[len(prefix) :]


# handler(target, arn, text, event) -> what the service answered, for the delivery record
Handler = Callable[[dict[str, Any], Arn, str, dict[str, Any]], dict[str, Any]]


# target services moto's own Rule.send_to_targets delivers to (log groups, archives, buses,
# API destinations); the local cloud delivers to _HANDLERS' services and to nothing else
MOTO_DELIVERED = frozenset({"logs", "events"})


def handler_for(target_arn: str) -> Handler | None:
    """The handler for a target ARN; None for the target types moto itself delivers to.

    A target type nobody delivers to gets a handler that fails with ``NotImplemented``, so the
    event still reaches the rule's other targets and the gap is on record.
    """
    service = Arn.parse(target_arn).service
    if service in MOTO_DELIVERED:
        return None
    return _HANDLERS.get(service, _not_implemented)


def _not_implemented(target: dict, arn: Arn, text: str, event: dict) -> dict[str, Any]:
    raise TargetError(
        "NotImplemented", f"sagestack local cloud does not deliver to {arn.service} targets"
    )


def _backend(service: str, arn: Arn) -> Any:
    return moto_internals.backend(service, arn.account, arn.region)


def _failing_as(code: str) -> Callable[[Handler], Handler]:
    """Report any error of the backend as ``code`` (the service's not-found code) unless typed."""

    def decorate(handler: Handler) -> Handler:
        def invoke(target: dict, arn: Arn, text: str, event: dict) -> dict[str, Any]:
            try:
                return handler(target, arn, text, event)
            except TargetError:
                raise
            except Exception as error:  # noqa: BLE001 - any backend error is a failed invocation
                aws_code = getattr(error, "code", None)
                raise TargetError(
                    aws_code if isinstance(aws_code, str) else code, _message_of(error)
                ) from error

        return invoke

    return decorate


def _message_of(error: Exception) -> str:
    for attribute in ("message", "description"):
        value = getattr(error, attribute, None)
        if isinstance(value, str) and value:
            return value
    return str(error) or type(error).__name__


@_failing_as("NotFound")
def _publish_to_topic(target: dict, arn: Arn, text: str, event: dict) -> dict[str, Any]:
    sns = _backend("sns", arn)
    topic_arn = target["Arn"]
    if topic_arn not in sns.topics:
        raise TargetError("NotFound", f"Topic does not exist: {topic_arn}")
    message_id = sns.publish(message=text, arn=topic_arn)
    return {"MessageId": message_id}


@_failing_as("AWS.SimpleQueueService.NonExistentQueue")
def _send_to_queue(target: dict, arn: Arn, text: str, event: dict) -> dict[str, Any]:
    sqs = _backend("sqs", arn)
    group_id = (target.get("SqsParameters") or {}).get("MessageGroupId")
    message = sqs.send_message(queue_name=arn.resource, message_body=text, group_id=group_id)
    return {"MessageId": message.id}


@_failing_as("ResourceNotFoundException")
def _start_build(target: dict, arn: Arn, text: str, event: dict) -> dict[str, Any]:
    from sagestack.localcloud.executors import builds

    codebuild = _backend("codebuild", arn)
    project_name = arn.resource_name("project")
    if project_name not in codebuild.codebuild_projects:
        raise TargetError("ResourceNotFoundException", f"Project cannot be found: {target['Arn']}")
    parameters = start_build_parameters(project_name, text)
    # CodeBuild shows a build an EventBridge rule started as initiated by the rule's role
    initiator = f"{(target.get('RoleArn') or 'events').rsplit('/', 1)[-1]}/events"
    build = builds.start_build(arn.account, arn.region, parameters, initiator)
    return {"build": {"id": build["id"], "arn": build["arn"]}, "parameters": parameters}


def start_build_parameters(project_name: str, text: str) -> dict[str, Any]:
    """StartBuild's request from the target input: its StartBuild fields, validated by botocore.

    A JSON object input supplies StartBuild parameters (environmentVariablesOverride,
    sourceVersion, ...); fields StartBuild does not have (the whole event, by default) are ignored.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = None
    shape = _operation_input_shape("codebuild", "StartBuild")
    given = document if isinstance(document, dict) else {}
    parameters = {k: v for k, v in given.items() if k in shape.members}
    parameters["projectName"] = project_name
    try:
        _validate(parameters, shape)
    except ParamValidationError as error:
        raise TargetError("InvalidInputException", str(error)) from None
    return parameters


def _validate(parameters: dict[str, Any], shape: Any) -> None:
    report = ParamValidator().validate(parameters, shape)
    if report.has_errors():
        raise ParamValidationError(report=report.generate_report())


def _operation_input_shape(service: str, operation: str) -> Any:
    model = botocore.session.get_session().get_service_model(service)
    return model.operation_model(operation).input_shape


@_failing_as("ValidationException")
def _start_pipeline_execution(target: dict, arn: Arn, text: str, event: dict) -> dict[str, Any]:
    sagemaker = _backend("sagemaker", arn)
    pipeline_name = arn.resource_name("pipeline")
    declared = (target.get("SageMakerPipelineParameters") or {}).get("PipelineParameterList") or []
    parameters = [
        {"Name": p["Name"], "Value": str(resolve_dynamic(p["Value"], event))} for p in declared
    ]
    execution = sagemaker.start_pipeline_execution(
        pipeline_name=pipeline_name,
        pipeline_execution_display_name=None,
        pipeline_parameters=parameters,
        pipeline_execution_description=None,
        parallelism_configuration=None,
        client_request_token=moto_internals.random_uuid(),
    )
    return {"PipelineExecutionArn": execution["PipelineExecutionArn"], "Parameters": parameters}


_HANDLERS: dict[str, Handler] = {
    "sns": _publish_to_topic,
    "sqs": _send_to_queue,
    "codebuild": _start_build,
    "sagemaker": _start_pipeline_execution,
}
