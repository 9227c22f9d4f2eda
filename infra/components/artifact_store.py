"""The platform's artifact bucket: SSE-KMS with a bucket key, versioned, public access blocked,
owner-enforced, TLS only, old versions expired; roles get access per key prefix via grants."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from sagestack_infra import iam
from sagestack_infra.components.base import Component
from sagestack_infra.grants import Access, ServiceRole, access
from sagestack_pipelines.packaging import CodePackage


@dataclass(frozen=True)
class ArtifactStoreArgs:
    bucket_name: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    tags: dict[str, str]
    noncurrent_version_expiration_days: int = 90
    """Days a replaced or deleted object version is kept before it expires; default 90."""
    abort_incomplete_upload_days: int = 7
    """Days before an unfinished multipart upload is cleaned up; default 7."""
    force_destroy: bool = False
    """Let ``pulumi destroy`` delete a non-empty bucket; default off (artifacts are evidence)."""


class ArtifactStore(Component):
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Input[str]

    def __init__(
        self, name: str, args: ArtifactStoreArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("sagestack:storage:ArtifactStore", name, None, opts)
        self._base = name
        self._args = args
        self.bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=args.bucket_name,
            force_destroy=args.force_destroy,
            tags=args.tags,
            opts=self._child(),
        )
        self.bucket_name = self.bucket.bucket
        # known from the name when the name is: policies that name the bucket need no Output
        self.bucket_arn = (
            f"arn:aws:s3:::{args.bucket_name}"
            if isinstance(args.bucket_name, str)
            else self.bucket.arn
        )
        self._create_public_access_block()
        self._create_ownership_controls()
        self._create_encryption()
        versioning = self._create_versioning()
        self._create_lifecycle(versioning)
        self._create_tls_only_policy()
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})

    def _create_public_access_block(self) -> None:
        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{self._base}-public-access-block",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=self._child(),
        )

    def _create_ownership_controls(self) -> None:
        aws.s3.BucketOwnershipControls(
            f"{self._base}-ownership",
            bucket=self.bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=self._child(),
        )

    def _create_encryption(self) -> None:
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{self._base}-encryption",
            bucket=self.bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": self._args.kms_key_arn,
                    },
                    # one data key per bucket instead of one KMS call per object
                    "bucket_key_enabled": True,
                }
            ],
            opts=self._child(),
        )

    def _create_versioning(self) -> aws.s3.BucketVersioning:
        return aws.s3.BucketVersioning(
            f"{self._base}-versioning",
            bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=self._child(),
        )

    def _create_lifecycle(self, versioning: aws.s3.BucketVersioning) -> None:
        args = self._args
        aws.s3.BucketLifecycleConfiguration(
            f"{self._base}-lifecycle",
            bucket=self.bucket.id,
            rules=[
                {
                    "id": "expire-old-versions",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "noncurrent_version_expiration": {
                        "noncurrent_days": args.noncurrent_version_expiration_days
                    },
                    "abort_incomplete_multipart_upload": {
                        "days_after_initiation": args.abort_incomplete_upload_days
                    },
                }
            ],
            # AWS rejects noncurrent-version rules until versioning is on.
            opts=self._child(depends_on=[versioning]),
        )

    def _create_tls_only_policy(self) -> None:
        statement = {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [self.bucket_arn, self.key_arn("*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
        aws.s3.BucketPolicy(
            f"{self._base}-policy",
            bucket=self.bucket.id,
            policy=iam.policy_document([statement]),
            # A policy put before the public access block could be judged public and refused.
            opts=self._child(depends_on=[self.public_access_block]),
        )

    def key_arn(self, key_pattern: str) -> pulumi.Input[str]:
        """The ARN of the objects whose keys match ``key_pattern`` (``*`` allowed)."""
        if isinstance(self.bucket_arn, str):
            return f"{self.bucket_arn}/{key_pattern}"
        return pulumi.Output.concat(self.bucket_arn, "/", key_pattern)

    def objects_arn(self, prefix: str) -> pulumi.Input[str]:
        return self.key_arn(f"{prefix.strip('/')}/*")

    def read_access(self, prefix: str) -> Access:
        """List and read objects under ``prefix``."""
        return self._access(prefix, "read", iam.S3_READ_ACTIONS, iam.KMS_DECRYPT_ACTIONS)

    def write_access(self, prefix: str) -> Access:
        """List, read and write objects under ``prefix``."""
        actions = iam.S3_READ_ACTIONS + iam.S3_WRITE_ACTIONS
        return self._access(prefix, "write", actions, iam.KMS_ENCRYPT_ACTIONS)

    def put_package(
        self, name: str, prefix: str, package: CodePackage, opts: pulumi.ResourceOptions
    ) -> aws.s3.BucketObjectv2:
        """``package`` (a reproducible zip) at ``<prefix>/<its file name>``, KMS-encrypted: a
        changed package is a new key."""
        return aws.s3.BucketObjectv2(
            name,
            bucket=self.bucket_name,
            key=f"{prefix}/{package.file_name}",
            content_base64=base64.b64encode(package.data).decode("ascii"),
            content_type="application/zip",
            server_side_encryption="aws:kms",
            kms_key_id=self._args.kms_key_arn,
            tags=self._args.tags,
            opts=opts,
        )

    def grant_read(self, role: ServiceRole, prefix: str) -> None:
        role.grant(self.read_access(prefix))

    def grant_write(self, role: ServiceRole, prefix: str) -> None:
        role.grant(self.write_access(prefix))

    def _access(self, prefix, verb, object_actions, kms_actions) -> Access:
        folder = prefix.strip("/")
        if not folder:
            raise ValueError(
                f"{verb} access to {prefix!r}: the prefix is empty; access is granted per key "
                "prefix (e.g. 'projects/churn'), never to the whole bucket"
            )
        return access(
            iam.allow(
                iam.S3_LIST_ACTIONS,
                [self.bucket_arn],
                {"StringLike": {"s3:prefix": [folder, f"{folder}/*"]}},
            ),
            iam.allow(object_actions, [self.objects_arn(folder)]),
            kms_key_arn=self._args.kms_key_arn,
            kms_actions=kms_actions,
        )
