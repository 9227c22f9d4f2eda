"""C4 feature store: SageMaker feature groups with their offline store in the artifact bucket
(KMS), an online store where asked, and the role SageMaker uses to write the offline store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from sagestack_infra import iam
from sagestack_infra.components.artifact_store import ArtifactStore
from sagestack_infra.components.base import Component
from sagestack_infra.grants import Access, ServiceRole, access


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    type: str  # String | Integral | Fractional


@dataclass(frozen=True)
class FeatureGroupSpec:
    name: str
    """The physical feature group name (already prefixed)."""
    record_identifier: str
    event_time: str
    features: tuple[FeatureSpec, ...]
    online: bool = True
    """Also keep the latest record per id in the low-latency online store; default on."""


@dataclass(frozen=True)
class FeatureStoreArgs:
    role_name: str
    groups: tuple[FeatureGroupSpec, ...]
    artifacts: ArtifactStore
    kms_key_arn: pulumi.Input[str]
    account_id: pulumi.Input[str]
    tags: dict[str, str]
    offline_prefix: str = "feature-store"
    """Key prefix of the offline store in the artifact bucket; default ``feature-store``."""


class FeatureStore(Component):
    group_names: dict[str, pulumi.Output[str]]
    group_arns: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: FeatureStoreArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("sagestack:featurestore:FeatureStore", name, None, opts)
        self._base = name
        self._args = args
        self.role = ServiceRole.for_sagemaker(self, f"{name}-role", args)
        args.artifacts.grant_write(self.role, args.offline_prefix)
        # SageMaker checks the role can write the offline store when the group is created.
        policy = self.role.attach()
        self.groups = {spec.name: self._create_group(spec, policy) for spec in args.groups}
        self.group_names = {key: group.feature_group_name for key, group in self.groups.items()}
        self.group_arns = {key: group.arn for key, group in self.groups.items()}
        self.register_outputs({"group_arns": self.group_arns})

    def _create_group(
        self, spec: FeatureGroupSpec, role_policy: aws.iam.RolePolicy
    ) -> aws.sagemaker.FeatureGroup:
        args = self._args
        online = None
        if spec.online:
            online = {
                "enable_online_store": True,
                "security_config": {"kms_key_id": args.kms_key_arn},
            }
        return aws.sagemaker.FeatureGroup(
            f"{self._base}-{spec.name}",
            feature_group_name=spec.name,
            record_identifier_feature_name=spec.record_identifier,
            event_time_feature_name=spec.event_time,
            role_arn=self.role.arn,
            feature_definitions=[
                {"feature_name": f.name, "feature_type": f.type} for f in spec.features
            ],
            offline_store_config={
                "s3_storage_config": {
                    "s3_uri": pulumi.Output.concat(
                        "s3://", args.artifacts.bucket_name, "/", args.offline_prefix
                    ),
                    "kms_key_id": args.kms_key_arn,
                },
                # No Glue catalog table: it would need Glue permissions on the role; Athena
                # users create the table from the offline store's documented layout.
                "disable_glue_table_creation": True,
            },
            online_store_config=online,
            tags=args.tags,
            opts=self._child(depends_on=[role_policy]),
        )

    def read_access(self, groups: Sequence[str]) -> Access:
        """Read records of ``groups`` (physical names): the online store, and the offline
        store's files under the artifact bucket."""
        statements = [
            iam.allow(iam.FEATURE_GROUP_READ_ACTIONS, self._arns(groups)),
            *self._offline_read_statements(groups),
        ]
        return access(*statements, kms_key_arn=self._args.kms_key_arn)

    def describe_access(self, groups: Sequence[str]) -> Access:
        """Describe ``groups`` (a build resolving where a group's offline store is)."""
        return access(iam.allow(iam.FEATURE_GROUP_DESCRIBE_ACTIONS, self._arns(groups)))

    def write_access(self, groups: Sequence[str]) -> Access:
        """Put and delete records of ``groups`` (ingestion)."""
        return access(
            iam.allow(iam.FEATURE_GROUP_WRITE_ACTIONS, self._arns(groups)),
            kms_key_arn=self._args.kms_key_arn,
            kms_actions=iam.KMS_ENCRYPT_ACTIONS,
        )

    def _arns(self, groups: Sequence[str]) -> list[pulumi.Output[str]]:
        unknown = sorted(set(groups) - set(self.groups))
        if unknown:
            raise ValueError(
                f"feature groups {unknown} are not in this feature store "
                f"(expected some of {sorted(self.groups)})"
            )
        return [self.groups[group].arn for group in groups]

    def _offline_read_statements(self, groups: Sequence[str]) -> list[dict]:
        """Read the groups' offline store files. SageMaker writes them under
        ``<prefix>/<account>/sagemaker/<region>/offline-store/<group>-<created>/``."""
        artifacts, prefix = self._args.artifacts, self._args.offline_prefix
        folders = [f"{prefix}/*/sagemaker/*/offline-store/{group}-*" for group in groups]
        return [
            iam.allow(
                iam.S3_LIST_ACTIONS,
                [artifacts.bucket_arn],
                {"StringLike": {"s3:prefix": folders}},
            ),
            iam.allow(
                iam.S3_READ_ACTIONS,
                [artifacts.key_arn(folder) for folder in folders],
            ),
        ]
