"""How a project finds the platform: one SSM parameter per contract.Param key under
/sagestack/<stack>/<project>/. Nothing secret is ever written here (plain String parameters)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from sagestack import contract
from sagestack_infra.components.base import Component


@dataclass(frozen=True)
class DiscoveryArgs:
    stack: str
    project: str
    values: Mapping[str, pulumi.Input[str]]
    """One value per key of contract.Param.ALL, no more, no fewer."""
    tags: dict[str, str]

    def __post_init__(self):
        missing = sorted(set(contract.Param.ALL) - set(self.values))
        unknown = sorted(set(self.values) - set(contract.Param.ALL))
        if missing or unknown:
            raise ValueError(
                f"discovery parameters for {self.project!r}: missing {missing}, unknown {unknown}; "
                f"expected exactly the keys of contract.Param.ALL"
            )


class Discovery(Component):
    parameter_path: str

    def __init__(self, name: str, args: DiscoveryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("sagestack:discovery:Discovery", name, None, opts)
        self.parameter_path = contract.parameter_path(args.stack, args.project)
        self.parameters = {
            key: aws.ssm.Parameter(
                f"{name}-{key}",
                name=f"{self.parameter_path}{key}",
                type="String",
                value=args.values[key],
                description=f"sagestack: {key} of project {args.project}",
                tags=args.tags,
                opts=self._child(),
            )
            for key in contract.Param.ALL
        }
        self.register_outputs({"parameter_path": self.parameter_path})
