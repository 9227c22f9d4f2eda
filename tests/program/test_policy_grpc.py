"""The pack served the way the Pulumi CLI serves it, and spoken to over the analyzer gRPC API.

The CLI's Python language host runs ``python -m pulumi.policy <engine> <pack dir>``; the pack
prints its port and answers ``GetAnalyzerInfo``, ``Analyze`` (one resource) and
``AnalyzeStack`` (all of them). This drives that process exactly so, with no CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as proto
from pulumi.runtime.proto.analyzer_pb2_grpc import AnalyzerStub
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from sagestack_infra.policy.pack import POLICIES

PACK_DIR = Path(__file__).resolve().parents[2] / "infra" / "policy"
TAGS = {"owner": "ml-platform", "cost-center": "cc-1234", "environment": "dev"}
TOPIC = "aws:sns/topic:Topic"
BUCKET = "aws:s3/bucket:Bucket"


@pytest.fixture(scope="module")
def analyzer() -> Iterator[AnalyzerStub]:
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(PACK_DIR)],
        cwd=PACK_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port_line = process.stdout.readline().strip()
        assert port_line.isdigit(), f"pack did not print its port: {process.stderr.read()}"
        with grpc.insecure_channel(f"127.0.0.1:{port_line}") as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
            yield AnalyzerStub(channel)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()


def struct(values: dict) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(values)
    return message


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:dev::sagestack::{type_token}::{name}"


def analyze(analyzer: AnalyzerStub, type_token: str, name: str, props: dict, provider=None):
    request = proto.AnalyzeRequest(
        type=type_token,
        name=name,
        urn=urn(type_token, name),
        properties=struct(props),
        provider=provider,
    )
    return analyzer.Analyze(request).diagnostics


def test_the_served_pack_lists_every_policy_as_mandatory(analyzer):
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())

    assert info.name == "sagestack"
    assert [p.name for p in info.policies] == [p.name for p in POLICIES]
    assert {p.enforcementLevel for p in info.policies} == {proto.MANDATORY}


def test_analyze_reports_an_unencrypted_topic_as_a_mandatory_violation(analyzer):
    diagnostics = analyze(analyzer, TOPIC, "oncall", {"name": "oncall", "tags": TAGS})

    assert [(d.policyName, d.enforcementLevel, d.urn) for d in diagnostics] == [
        ("sns-topic-encrypted", proto.MANDATORY, urn(TOPIC, "oncall"))
    ]
    assert "kmsMasterKeyId is not set" in diagnostics[0].message


def test_analyze_passes_a_topic_tagged_by_its_providers_default_tags(analyzer):
    provider = proto.AnalyzerProviderResource(
        type="pulumi:providers:aws",
        name="aws",
        urn=urn("pulumi:providers:aws", "aws"),
        properties=struct({"defaultTags": {"tags": TAGS}}),
    )
    props = {"name": "oncall", "kmsMasterKeyId": "alias/sagestack"}

    assert list(analyze(analyzer, TOPIC, "oncall", props, provider)) == []


def test_a_value_unknown_in_preview_is_an_advisory_note_not_a_pass_or_a_block(analyzer):
    props = {"name": "oncall", "tags": TAGS, "kmsMasterKeyId": UNKNOWN_STRING_VALUE}

    diagnostics = analyze(analyzer, TOPIC, "oncall", props)

    assert [(d.policyName, d.enforcementLevel) for d in diagnostics] == [
        ("sns-topic-encrypted", proto.ADVISORY)
    ]
    assert "can't be known during preview" in diagnostics[0].message


def stack_resource(type_token: str, name: str, props: dict, bucket_urn: str | None = None):
    resource = proto.AnalyzerResource(
        type=type_token, name=name, urn=urn(type_token, name), properties=struct(props)
    )
    if bucket_urn:
        resource.propertyDependencies["bucket"].urns.append(bucket_urn)
    return resource


def test_analyze_stack_flags_a_bucket_without_block_or_encryption(analyzer):
    bucket = stack_resource(BUCKET, "artifacts", {"bucket": "artifacts-1", "tags": TAGS})

    diagnostics = analyzer.AnalyzeStack(proto.AnalyzeStackRequest(resources=[bucket])).diagnostics

    assert sorted((d.policyName, d.urn) for d in diagnostics) == [
        ("s3-encrypted", bucket.urn),
        ("s3-public-access-blocked", bucket.urn),
        ("s3-tls-only", bucket.urn),
    ]


def test_analyze_stack_links_block_and_encryption_to_the_bucket_through_dependencies(analyzer):
    """As in a preview, the bucket's name is not known yet where the block and encryption
    configuration use it; the engine's property dependencies still tie them to the bucket."""
    bucket = stack_resource(BUCKET, "artifacts", {"bucket": "artifacts-1", "tags": TAGS})
    block = stack_resource(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "artifacts-pab",
        {
            "bucket": UNKNOWN_STRING_VALUE,
            "blockPublicAcls": True,
            "blockPublicPolicy": True,
            "ignorePublicAcls": True,
            "restrictPublicBuckets": True,
        },
        bucket.urn,
    )
    encryption = stack_resource(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "artifacts-sse",
        {
            "bucket": UNKNOWN_STRING_VALUE,
            "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}],
        },
        bucket.urn,
    )
    tls_only = stack_resource(
        "aws:s3/bucketPolicy:BucketPolicy",
        "artifacts-policy",
        {
            "bucket": UNKNOWN_STRING_VALUE,
            "policy": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": ["arn:aws:s3:::artifacts-1", "arn:aws:s3:::artifacts-1/*"],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ],
                }
            ),
        },
        bucket.urn,
    )
    request = proto.AnalyzeStackRequest(resources=[bucket, block, encryption, tls_only])

    assert list(analyzer.AnalyzeStack(request).diagnostics) == []
