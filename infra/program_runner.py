"""Run the Pulumi program in-process under Pulumi's mock runtime and return what it registered.

Used by the program tests, the policy tests and the local-cloud applier. The engine is Pulumi's
own ``MockMonitor`` (``pulumi.runtime.set_mocks``) with ``preview=False``, so every output is
known and nothing is skipped; the ``Mocks`` object is injectable, so a caller can create each
resource for real (the local-cloud applier) instead of inventing ids and ARNs.

Inputs reach ``Mocks.new_resource`` the way the engine sends them: camelCase keys, numbers as
floats. :class:`RegisteredResource` keeps them exactly so.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import yaml
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from sagestack_infra import collector

CONFIG_NAMESPACE = "sagestack"
PROJECT = "sagestack"
MOCK_ACCOUNT = "123456789012"
MOCK_REGION = "us-east-1"


@dataclass(frozen=True)
class RegisteredResource:
    """One resource the program registered, as the engine saw it."""

    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    parent: str  # the parent's URN ("" for the stack itself)
    deps: tuple[str, ...]  # URNs this resource depends on
    custom: bool = True  # False for component resources
    secret_inputs: frozenset[str] = frozenset()  # top-level inputs that hold a Pulumi secret


@dataclass(frozen=True)
class ProgramRun:
    """Everything one run of the program produced."""

    stack: str
    resources: tuple[RegisteredResource, ...]
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, type_token: str) -> list[RegisteredResource]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> RegisteredResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"expected one resource named {name!r}, found {len(matches)}")
        return matches[0]

    @property
    def custom_resources(self) -> list[RegisteredResource]:
        return [r for r in self.resources if r.custom]


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    """Pulumi's mock monitor, also keeping each registration's parent, dependencies and order."""

    def __init__(self, mocks: pulumi_mocks.Mocks):
        super().__init__(mocks)
        self.registrations: list[RegisteredResource] = []
        self._lock = threading.Lock()

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs = pulumi.runtime.rpc.deserialize_properties(request.object)
        outputs = self.resources[response.urn].state
        record = RegisteredResource(
            type=request.type,
            name=request.name,
            urn=response.urn,
            inputs=unwrap_secrets(inputs),
            outputs=unwrap_secrets(outputs),
            parent=request.parent,
            deps=tuple(request.dependencies),
            custom=bool(request.custom),
            secret_inputs=frozenset(k for k, v in inputs.items() if _holds_secret(v)),
        )
        with self._lock:
            self.registrations.append(record)
        return response


class DefaultMocks(pulumi_mocks.Mocks):
    """Plausible ids and ARNs for every resource; outputs echo the inputs.

    Ids are the logical name plus ``-id``; ARNs follow each service's real format for account
    :data:`MOCK_ACCOUNT` in :data:`MOCK_REGION`, so policies built from them read as in AWS.
    """

    def new_resource(self, args: pulumi_mocks.MockResourceArgs):
        outputs = dict(args.inputs)
        physical = _physical_name(args.typ, args.inputs) or args.name
        arn = _arn_for(args.typ, physical)
        if arn is not None:
            outputs.setdefault("arn", arn)
        outputs.update(_extra_outputs(args.typ, physical))
        resource_id = arn if args.typ == "aws:sns/topic:Topic" else f"{physical}-id"
        if args.typ in _ID_IS_NAME:
            resource_id = physical
        return resource_id, outputs

    def call(self, args: pulumi_mocks.MockCallArgs):
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": MOCK_ACCOUNT,
                "arn": f"arn:aws:iam::{MOCK_ACCOUNT}:user/mock",
                "userId": "AIDAMOCK",
                "id": MOCK_ACCOUNT,
            }
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": MOCK_REGION, "region": MOCK_REGION, "id": MOCK_REGION}
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        return {}


# Which input carries the physical name, per resource type.
_NAME_INPUT = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:sagemaker/featureGroup:FeatureGroup": "featureGroupName",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": "modelPackageGroupName",
    "aws:kms/alias:Alias": "name",
}
_ID_IS_NAME = {
    "aws:s3/bucket:Bucket",
    "aws:iam/role:Role",
    "aws:codebuild/project:Project",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:ssm/parameter:Parameter",
    "aws:sagemaker/featureGroup:FeatureGroup",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
}

_ARN_FORMATS = {
    "aws:kms/key:Key": "arn:aws:kms:{region}:{account}:key/{name}",
    "aws:kms/alias:Alias": "arn:aws:kms:{region}:{account}:{name}",
    "aws:s3/bucket:Bucket": "arn:aws:s3:::{name}",
    "aws:sns/topic:Topic": "arn:aws:sns:{region}:{account}:{name}",
    "aws:sns/topicSubscription:TopicSubscription": "arn:aws:sns:{region}:{account}:{name}",
    "aws:iam/role:Role": "arn:aws:iam::{account}:role/{name}",
    "aws:iam/policy:Policy": "arn:aws:iam::{account}:policy/{name}",
    "aws:codebuild/project:Project": "arn:aws:codebuild:{region}:{account}:project/{name}",
    "aws:codebuild/webhook:Webhook": "arn:aws:codebuild:{region}:{account}:webhook/{name}",
    "aws:cloudwatch/eventRule:EventRule": "arn:aws:events:{region}:{account}:rule/{name}",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
    "aws:ssm/parameter:Parameter": "arn:aws:ssm:{region}:{account}:parameter{name}",
    "aws:sagemaker/featureGroup:FeatureGroup": (
        "arn:aws:sagemaker:{region}:{account}:feature-group/{name}"
    ),
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": (
        "arn:aws:sagemaker:{region}:{account}:model-package-group/{name}"
    ),
}


def _physical_name(type_token: str, inputs: Mapping[str, Any]) -> str | None:
    value = inputs.get(_NAME_INPUT.get(type_token, "name"))
    return value if isinstance(value, str) else None


def _arn_for(type_token: str, physical: str) -> str | None:
    template = _ARN_FORMATS.get(type_token)
    if template is None:
        return None
    return template.format(region=MOCK_REGION, account=MOCK_ACCOUNT, name=physical)


def _extra_outputs(type_token: str, physical: str) -> dict[str, Any]:
    if type_token == "aws:kms/key:Key":
        return {"keyId": physical}
    if type_token == "aws:s3/bucket:Bucket":
        return {"bucket": physical}
    if type_token == "aws:codebuild/webhook:Webhook":
        return {"url": f"https://codebuild.{MOCK_REGION}.amazonaws.com/webhooks?t={physical}"}
    return {}


def unwrap_secrets(value: Any) -> Any:
    """Deserialised properties with Pulumi's secret wrappers replaced by their values.

    ``Mocks.new_resource`` receives secrets wrapped (``{<sig>: <secret sig>, "value": ...}``);
    a Mocks that creates real resources calls this on ``args.inputs`` first.
    """
    if _is_secret(value):
        return unwrap_secrets(value.get("value"))
    if isinstance(value, Mapping):
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [unwrap_secrets(v) for v in value]
    return value


def _is_secret(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and value.get(pulumi.runtime.rpc._special_sig_key) == pulumi.runtime.rpc._special_secret_sig
    )


def _holds_secret(value: Any) -> bool:
    if _is_secret(value):
        return True
    if isinstance(value, Mapping):
        return any(_holds_secret(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_secret(v) for v in value)
    return False


def config_entries(config: Mapping[str, Any], namespace: str = CONFIG_NAMESPACE) -> dict[str, str]:
    """Pulumi's wire form of config: ``namespace:key`` to a string (objects as JSON).

    Keys that already carry a namespace (``aws:region``) are kept as they are.
    """
    entries = {}
    for key, value in config.items():
        full_key = key if ":" in key else f"{namespace}:{key}"
        entries[full_key] = value if isinstance(value, str) else json.dumps(value)
    return entries


def _default_program() -> None:
    from sagestack_infra.config import load_stack_config
    from sagestack_infra.program import define_platform

    define_platform(load_stack_config())


def run_program(
    stack: str,
    config: Mapping[str, Any],
    *,
    secret_keys: Collection[str] = (),
    mocks: pulumi_mocks.Mocks | None = None,
    program: Callable[[], None] | None = None,
    project: str = PROJECT,
) -> ProgramRun:
    """Run ``program`` (the sagestack platform by default) for ``stack`` under mocks.

    ``config`` is the ``sagestack:`` namespace as the stack file gives it (``namePrefix``,
    ``projects`` ...); keys with another namespace (``aws:region``) may be mixed in.
    ``secret_keys`` names the keys Pulumi would mark secret (``oncall``, ``kubernetes``).
    Raises whatever the program raises (a ``ConfigError`` for bad config) after the runtime
    has settled. Safe to call repeatedly in one process: each run starts from fresh settings.

    Pulumi calls ``mocks.new_resource`` from its worker threads, concurrently for resources
    whose inputs are ready at the same time, and only once every resource an input refers to
    has been created; a Mocks that creates real resources must be thread-safe.
    """
    monitor = _RecordingMonitor(mocks or DefaultMocks())
    _reset_runtime(project, stack, monitor)
    pulumi.runtime.set_all_config(
        config_entries(config),
        [key if ":" in key else f"{CONFIG_NAMESPACE}:{key}" for key in secret_keys],
    )
    outputs: dict[str, Any] = {}

    async def run_and_collect() -> None:
        (program or _default_program)()
        root = pulumi.runtime.get_root_resource()
        resolved = await pulumi.Output.from_input(dict(root.outputs)).future()
        outputs.update(resolved or {})

    try:
        with collector.tuned():
            _sync_await(run_pulumi_func(run_and_collect))
    finally:
        pulumi.runtime.set_all_config({}, [])
    return ProgramRun(stack=stack, resources=tuple(monitor.registrations), outputs=outputs)


def _reset_runtime(project: str, stack: str, monitor: _RecordingMonitor) -> None:
    """Forget any previous run's root stack, RPCs and outputs, then install the mocks."""
    pulumi_settings.reset_options(project=project, stack=stack, preview=False)
    pulumi.runtime.set_mocks(
        monitor.mocks, project=project, stack=stack, preview=False, monitor=monitor
    )


def read_stack_file(path: str | os.PathLike) -> dict[str, Any]:
    """The ``config:`` of a ``Pulumi.<stack>.yaml``: ``sagestack:`` keys without their prefix,
    other namespaces' keys (``aws:region``) as they are. ``secure:`` values cannot be decrypted
    without the Pulumi CLI; a file holding one is refused with the key named."""
    with open(path, encoding="utf-8") as stream:
        document = yaml.safe_load(stream) or {}
    config = {}
    for key, value in (document.get("config") or {}).items():
        secure = _secure_path(value)
        if secure is not None:
            raise ValueError(
                f"{path}: {key}{secure} is a secure: value; pass its plaintext in the config "
                "dict and name the key in secret_keys instead"
            )
        namespace, _, name = key.partition(":")
        config[name if namespace == CONFIG_NAMESPACE else key] = value
    return config


def _secure_path(value: Any, path: str = "") -> str | None:
    if isinstance(value, Mapping):
        if set(value) == {"secure"}:
            return path
        for key, item in value.items():
            found = _secure_path(item, f"{path}.{key}")
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _secure_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None
