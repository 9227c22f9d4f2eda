"""The registry of resource handlers: one module per AWS service, each exporting ``HANDLERS``
(type token -> :class:`~sagestack.deploy.handlers.base.Handler`)."""

from __future__ import annotations

from sagestack.deploy.handlers import (
    appautoscaling,
    cloudwatch,
    codebuild,
    events,
    iam,
    kms,
    logs,
    s3,
    sagemaker,
    sagemaker_hosting,
    sns,
    ssm,
)
from sagestack.deploy.handlers.base import Handler

HANDLERS: dict[str, Handler] = {
    **appautoscaling.HANDLERS,
    **cloudwatch.HANDLERS,
    **codebuild.HANDLERS,
    **events.HANDLERS,
    **iam.HANDLERS,
    **kms.HANDLERS,
    **logs.HANDLERS,
    **s3.HANDLERS,
    **sagemaker.HANDLERS,
    **sagemaker_hosting.HANDLERS,
    **sns.HANDLERS,
    **ssm.HANDLERS,
}

# Registered by the program but made by no AWS call: component resources (sagestack:*) group
# others, providers are configuration.
_NO_AWS_CALL_PREFIXES = ("sagestack:", "pulumi:providers:")


def needs_no_aws_call(type_token: str) -> bool:
    return type_token.startswith(_NO_AWS_CALL_PREFIXES)


def handler_for(type_token: str) -> Handler | None:
    return HANDLERS.get(type_token)
