"""Building planned resources for the policy pack's tests."""

from __future__ import annotations

import json

from sagestack_infra.policy.evaluate import PlannedResource

TAGS = {"owner": "ml-platform", "cost-center": "cc-1234", "environment": "dev"}
ACCOUNT = "123456789012"
BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl"


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:test::sagestack::{type_token}::{name}"


def resource(type_token: str, name: str, inputs: dict, **kwargs) -> PlannedResource:
    return PlannedResource(type_token, name, urn(type_token, name), inputs, **kwargs)


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource_arn="arn:aws:s3:::artifacts/*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource_arn, **extra}


def replaced(stack: list[PlannedResource], name: str, /, **changes) -> list[PlannedResource]:
    """``stack`` with the resource ``name``'s inputs updated by ``changes``."""
    return [
        PlannedResource(r.type, r.name, r.urn, {**r.inputs, **changes}, r.outputs, r.provider)
        if r.name == name
        else r
        for r in stack
    ]


def without(stack: list[PlannedResource], name: str) -> list[PlannedResource]:
    return [r for r in stack if r.name != name]


TLS_STATEMENT = {
    "Sid": "TlsOnly",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::artifacts", "arn:aws:s3:::artifacts/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
TLS_ONLY = document(TLS_STATEMENT)
SSE_RULES = [
    {
        "applyServerSideEncryptionByDefault": {
            "sseAlgorithm": "aws:kms",
            "kmsMasterKeyId": "key-arn",
        },
        "bucketKeyEnabled": True,
    }
]
BLOCK_ALL = dict.fromkeys(
    ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True
)
