"""The platform's policy pack, published once per stack in the artifact bucket for the projects'
deploy builds (``sagestack_infra.policy_bundle``): its key carries the bundle's hash, so a
changed pack is a new object and every deploy project is pointed at it in the same update."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from sagestack import contract
from sagestack_infra.components.artifact_store import ArtifactStore
from sagestack_infra.components.base import Component
from sagestack_infra.policy_bundle import policy_pack_bundle


@dataclass(frozen=True)
class PublishedPolicyPackArgs:
    artifacts: ArtifactStore


class PublishedPolicyPack(Component):
    uri: pulumi.Output[str]
    """``s3://<bucket>/<key>`` of the pack's zip, which deploy builds get as
    ``contract.ENV_POLICY_PACK_URI``."""

    def __init__(
        self, name: str, args: PublishedPolicyPackArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("sagestack:policy:PublishedPolicyPack", name, None, opts)
        self.object = args.artifacts.put_package(
            f"{name}-object", contract.POLICY_PACK_PREFIX, policy_pack_bundle(), self._child()
        )
        self.uri = pulumi.Output.concat("s3://", self.object.bucket, "/", self.object.key)
        self.register_outputs({"uri": self.uri})
