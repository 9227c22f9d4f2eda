"""C6 model registry: a project's SageMaker model package group, with grants to register
packages in it and to read them."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from sagestack_infra import iam
from sagestack_infra.components.base import Component
from sagestack_infra.grants import Access, access


@dataclass(frozen=True)
class ModelRegistryArgs:
    group_name: str
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    tags: dict[str, str]
    description: str = "Model packages registered by the project's training pipeline"


class ModelRegistry(Component):
    group_name: pulumi.Output[str]
    group_arn: pulumi.Output[str]
    packages_arn: pulumi.Output[str]
    """ARN pattern of every package version in the group."""

    def __init__(
        self, name: str, args: ModelRegistryArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("sagestack:registry:ModelRegistry", name, None, opts)
        self._args = args
        self.group = aws.sagemaker.ModelPackageGroup(
            f"{name}-group",
            model_package_group_name=args.group_name,
            model_package_group_description=args.description,
            tags=args.tags,
            opts=self._child(),
        )
        self.group_name = self.group.model_package_group_name
        self.group_arn = self.group.arn
        self.packages_arn = iam.arn(
            "sagemaker", args.region, args.account_id, f"model-package/{args.group_name}/*"
        )
        self.register_outputs({"group_name": self.group_name, "group_arn": self.group_arn})

    def read_access(self) -> Access:
        """Describe the group and its packages (the deploy build)."""
        return access(
            iam.allow(iam.MODEL_PACKAGE_GROUP_READ_ACTIONS, [self.group_arn]),
            iam.allow(iam.MODEL_PACKAGE_READ_ACTIONS, [self.packages_arn]),
        )

    def register_access(self) -> Access:
        """Register new package versions in the group (the training pipeline)."""
        return access(
            iam.allow(iam.MODEL_PACKAGE_GROUP_READ_ACTIONS, [self.group_arn]),
            # CreateModelPackage is authorised on the group and on the new package's ARN.
            iam.allow(iam.MODEL_PACKAGE_WRITE_ACTIONS, [self.group_arn, self.packages_arn]),
        )
