"""S3: the bucket, and the configurations Pulumi keeps as separate resources keyed by bucket."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

from botocore import xform_name

from sagestack.clients import AwsClients
from sagestack.deploy.errors import InputError
from sagestack.deploy.handlers.base import (
    Applied,
    Checkpoint,
    Desired,
    Handler,
    put_style,
)
from sagestack.deploy.requests import build_request, tag_list

_BY_BUCKET = frozenset({"bucket"})


def _bucket_outputs(cloud: AwsClients, bucket: str) -> dict[str, Any]:
    return {
        "bucket": bucket,
        "arn": f"arn:aws:s3:::{bucket}",
        "region": cloud.region,
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{cloud.region}.amazonaws.com",
    }


def create_bucket(cloud: AwsClients, desired: Desired, checkpoint: Checkpoint) -> Applied:
    s3 = cloud.client("s3")
    # forceDestroy is the provider's own setting (see delete_bucket); tags are a second call
    request = build_request(s3, "CreateBucket", desired.inputs, ignore=("forceDestroy", "tags"))
    if cloud.region != "us-east-1":
        request["CreateBucketConfiguration"] = {"LocationConstraint": cloud.region}
    s3.create_bucket(**request)
    checkpoint(request["Bucket"])
    return update_bucket(cloud, request["Bucket"], desired)


def update_bucket(cloud: AwsClients, bucket: str, desired: Desired) -> Applied:
    s3 = cloud.client("s3")
    tags = desired.get("tags", {})
    if tags:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tag_list(tags)})
    else:
        s3.delete_bucket_tagging(Bucket=bucket)
    return Applied(bucket, _bucket_outputs(cloud, bucket))


def delete_bucket(cloud: AwsClients, bucket: str, outputs: dict[str, Any]) -> None:
    # As the provider does: a bucket still holding objects is refused unless forceDestroy is set.
    if outputs.get("forceDestroy"):
        _empty_bucket(cloud, bucket)
    cloud.client("s3").delete_bucket(Bucket=bucket)


def _empty_bucket(cloud: AwsClients, bucket: str) -> None:
    s3 = cloud.client("s3")
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        versions = page.get("Versions", []) + page.get("DeleteMarkers", [])
        objects = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions]
        if objects:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})


def put_object(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    s3 = cloud.client("s3")
    if desired.get("source") is not None:
        raise InputError(
            f"{desired.type} {desired.name}: a source asset is not supported locally; "
            "give content or contentBase64"
        )
    request = build_request(
        s3,
        "PutObject",
        desired.inputs,
        renames={"kmsKeyId": "SSEKMSKeyId"},
        ignore=("content", "contentBase64", "tags", "forceDestroy"),
    )
    if desired.get("tags"):
        request["Tagging"] = urlencode(desired.inputs["tags"])
    response = s3.put_object(**request, Body=_object_body(desired))
    bucket, key = request["Bucket"], request["Key"]
    return Applied(
        key,
        {
            "arn": f"arn:aws:s3:::{bucket}/{key}",
            "etag": response["ETag"].strip('"'),
            "versionId": response.get("VersionId", ""),
        },
    )


def _object_body(desired: Desired) -> bytes:
    if desired.get("contentBase64") is not None:
        return base64.b64decode(desired.inputs["contentBase64"])
    return str(desired.get("content", "")).encode()


def delete_object(cloud: AwsClients, key: str, outputs: dict[str, Any]) -> None:
    cloud.client("s3").delete_object(Bucket=outputs["bucket"], Key=key)


def bucket_setting(put: str, delete: str, member: str | None = None) -> Handler:
    """A configuration set by ``put`` and removed by ``delete``; ``member`` names the AWS
    structure that the Pulumi resource flattens into its own inputs."""

    def create(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
        s3 = cloud.client("s3")
        bucket = desired.inputs["bucket"]
        if member is None:
            request = build_request(s3, put, desired.inputs)
        else:
            body = build_request(s3, put, desired.inputs, ignore=("bucket",), member=member)
            request = {"Bucket": bucket, member: body}
        getattr(s3, xform_name(put))(**request)
        return Applied(bucket, {})

    def remove(cloud: AwsClients, bucket: str, _outputs: dict[str, Any]) -> None:
        getattr(cloud.client("s3"), xform_name(delete))(Bucket=bucket)

    return put_style(create, remove, replace_on=_BY_BUCKET)


def _ownership_controls(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    # Pulumi holds one rule where AWS takes a list of them.
    bucket = desired.inputs["bucket"]
    controls = build_request(
        cloud.client("s3"),
        "PutBucketOwnershipControls",
        {"rules": [desired.inputs["rule"]]},
        member="OwnershipControls",
    )
    cloud.client("s3").put_bucket_ownership_controls(Bucket=bucket, OwnershipControls=controls)
    return Applied(bucket, {})


def _suspend_versioning(cloud: AwsClients, bucket: str, _outputs: dict[str, Any]) -> None:
    # Versioning once enabled can only be suspended, never removed (the provider does the same).
    cloud.client("s3").put_bucket_versioning(
        Bucket=bucket, VersioningConfiguration={"Status": "Suspended"}
    )


HANDLERS = {
    "aws:s3/bucket:Bucket": Handler(
        create=create_bucket, delete=delete_bucket, update=update_bucket, replace_on=_BY_BUCKET
    ),
    "aws:s3/bucketObjectv2:BucketObjectv2": put_style(
        put_object, delete_object, replace_on=frozenset({"bucket", "key"})
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": bucket_setting(
        "PutPublicAccessBlock", "DeletePublicAccessBlock", member="PublicAccessBlockConfiguration"
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": put_style(
        _ownership_controls,
        bucket_setting("PutBucketOwnershipControls", "DeleteBucketOwnershipControls").delete,
        replace_on=_BY_BUCKET,
    ),
    "aws:s3/bucketVersioning:BucketVersioning": put_style(
        bucket_setting("PutBucketVersioning", "").create, _suspend_versioning, replace_on=_BY_BUCKET
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": bucket_setting(
        "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle", member="LifecycleConfiguration"
    ),
    "aws:s3/bucketPolicy:BucketPolicy": bucket_setting("PutBucketPolicy", "DeleteBucketPolicy"),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        bucket_setting(
            "PutBucketEncryption",
            "DeleteBucketEncryption",
            member="ServerSideEncryptionConfiguration",
        )
    ),
}
