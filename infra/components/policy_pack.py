"""The platform's policy pack, published once per stack in the artifact bucket for the projects'
deploy builds (``sagestack_infra.policy_bundle``): its key carries the bundle's hash, so a
changed pack is a new object and every deploy project is pointed at it in the same update."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from sagestack import contract
from sagestack_infra.components.artifact_store import ArtifactStore
from sagestack_infra.components.base import Component
from sagestack_infra.policy_bundle import policy_pack_bundle


@dataclass(frozen=True)
class PublishedPolicyPackArgs:
    artifacts: ArtifactStore
    kms_key_arn: pulumi.Input[str]
    tags: dict[str, str]


class PublishedPolicyPack(Component):
    uri: pulumi.Output[str]
    """``s3://<bucket>/<key>`` of the pack's zip, which deploy builds get as
    ``contract.ENV_POLICY_PACK_URI``."""

    def __init__(
        self, name: str, args: PublishedPolicyPackArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("sagestack:policy:PublishedPolicyPack", name, None, opts)
        bundle = policy_pack_bundle()
        key = f"{contract.POLICY_PACK_PREFIX}/{bundle.file_name}"
        self.object = aws.s3.BucketObjectv2(
            f"{name}-object",
            bucket=args.artifacts.bucket_name,
            key=key,
            content_base64=base64.b64encode(bundle.data).decode("ascii"),
            content_type="application/zip",
            server_side_encryption="aws:kms",
            kms_key_id=args.kms_key_arn,
            tags=args.tags,
            opts=self._child(),
        )
        self.uri = pulumi.Output.concat("s3://", self.object.bucket, "/", self.object.key)
        self.register_outputs({"uri": self.uri})
