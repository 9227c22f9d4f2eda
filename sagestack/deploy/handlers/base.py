"""The shape of a handler: how one resource type is created, updated and deleted through boto3."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sagestack.clients import AwsClients


@dataclass(frozen=True)
class Desired:
    """A resource as the program registered it: type token, logical name, engine-shaped inputs."""

    type: str
    name: str
    inputs: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        value = self.inputs.get(key)
        return default if value is None else value

    def physical_name(self, key: str = "name") -> str:
        """The ``key`` input, or the logical name where Pulumi would auto-name (without its
        random suffix, so a re-deploy finds the same resource)."""
        return self.get(key) or self.name


@dataclass(frozen=True)
class Applied:
    """What a handler made: the physical id and the outputs AWS computed (ARNs, ids)."""

    id: str
    outputs: dict[str, Any] = field(default_factory=dict)


# Called with the physical id as soon as a multi-call create has made the resource, so a failure
# in a later call still leaves the resource recorded (and deletable).
Checkpoint = Callable[[str], None]
Create = Callable[[AwsClients, Desired, Checkpoint], Applied]
Update = Callable[[AwsClients, str, Desired], Applied]
Delete = Callable[[AwsClients, str, dict[str, Any]], None]


@dataclass(frozen=True)
class Handler:
    create: Create
    delete: Delete
    update: Update | None = None  # None: any change replaces the resource
    replace_on: frozenset[str] = frozenset()  # inputs AWS cannot change in place

    def replaces(self, old_inputs: dict[str, Any] | None, new_inputs: dict[str, Any]) -> bool:
        if self.update is None or old_inputs is None:
            return True
        return any(old_inputs.get(key) != new_inputs.get(key) for key in self.replace_on)


def put_style(create: Create, delete: Delete, replace_on: frozenset[str] = frozenset()) -> Handler:
    """A handler whose create is an idempotent put (policies, configurations): update re-puts."""

    def update(cloud: AwsClients, _id: str, desired: Desired) -> Applied:
        return create(cloud, desired, _no_checkpoint)

    return Handler(create=create, delete=delete, update=update, replace_on=replace_on)


def _no_checkpoint(_id: str) -> None:
    return None
