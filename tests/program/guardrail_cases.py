"""The SageMaker, logs, KMS, SSM, trust and S3 guardrails of the pack: a resource meeting each
(part of the good stack of test_policy_pack) and a bad case per way of breaking it."""

from __future__ import annotations

import pytest
from policy_helpers import TAGS, document, replaced, resource, without

from sagestack_infra.policy.evaluate import PlannedResource

KEY = "arn:aws:kms:us-east-1:123456789012:key/k"
OTHER_ACCOUNT = "arn:aws:iam::210987654321:root"
GITHUB = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
CAPTURE = {
    "enableCapture": True,
    "initialSamplingPercentage": 100,
    "destinationS3Uri": "s3://artifacts/projects/churn/data-capture",
    "kmsKeyId": KEY,
    "captureOptions": [{"captureMode": "Input"}, {"captureMode": "Output"}],
}


def _trust(principal: dict, action: str = "sts:AssumeRole", condition: dict | None = None):
    statement = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition is not None:
        statement["Condition"] = condition
    return document(statement)


GITHUB_AUDIENCE = {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}


def _github_trust(subject: str | None) -> str:
    condition = {**GITHUB_AUDIENCE}
    if subject is not None:
        condition["StringLike"] = {"token.actions.githubusercontent.com:sub": subject}
    return _trust({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity", condition)


def guardrail_resources() -> list[PlannedResource]:
    return [
        resource("aws:kms/key:Key", "key", {"enableKeyRotation": True, "tags": TAGS}),
        resource(
            "aws:cloudwatch/logGroup:LogGroup",
            "logs",
            {"name": "/aws/codebuild/b", "retentionInDays": 90, "kmsKeyId": KEY, "tags": TAGS},
        ),
        resource(
            "aws:ssm/parameter:Parameter",
            "param",
            {
                "name": "/sagestack/dev/churn/kms-key-arn",
                "type": "String",
                "value": KEY,
                "tags": TAGS,
            },
        ),  # fmt: skip
        resource(
            "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
            "endpoint-config",
            {"kmsKeyArn": KEY, "dataCaptureConfig": CAPTURE, "tags": TAGS},
        ),
        resource(
            "aws:sagemaker/model:Model",
            "model",
            {"enableNetworkIsolation": True, "executionRoleArn": "arn:role", "tags": TAGS},
        ),
        resource(
            "aws:sagemaker/featureGroup:FeatureGroup",
            "features",
            {
                "onlineStoreConfig": {
                    "enableOnlineStore": True,
                    "securityConfig": {"kmsKeyId": KEY},
                },
                "offlineStoreConfig": {"s3StorageConfig": {"s3Uri": "s3://a/f", "kmsKeyId": KEY}},
                "tags": TAGS,
            },
        ),
        resource(
            "aws:sagemaker/notebookInstance:NotebookInstance",
            "notebook",
            {"directInternetAccess": "Disabled", "rootAccess": "Disabled", "tags": TAGS},
        ),
        resource(
            "aws:iam/role:Role",
            "deployer",
            {
                "assumeRolePolicy": _trust(
                    {"AWS": OTHER_ACCOUNT},
                    condition={"StringEquals": {"sts:ExternalId": "b6c2f6a1"}},
                ),
                "tags": TAGS,
            },
        ),
        resource(
            "aws:iam/role:Role",
            "github",
            {
                "assumeRolePolicy": _github_trust("repo:acme/churn:ref:refs/heads/main"),
                "tags": TAGS,
            },
        ),
    ]


def _case(policy: str, mutate, message: str, id: str):  # noqa: A002 - pytest's own word
    return pytest.param(policy, mutate, message, id=id)


AES256 = [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]

GUARDRAIL_BAD_CASES = [
    _case("kms-key-rotation", lambda s: replaced(s, "key", enableKeyRotation=False),
          "enableKeyRotation is not true", "key-without-rotation"),
    _case("log-group-retention", lambda s: replaced(s, "logs", retentionInDays=None),
          "retentionInDays is not set", "log-group-kept-forever"),
    _case("log-group-encrypted", lambda s: replaced(s, "logs", kmsKeyId=None),
          "kmsKeyId is not set", "log-group-without-key"),
    _case("ssm-no-plaintext-secrets",
          lambda s: replaced(s, "param", name="/sagestack/dev/churn/db-password"),
          "its name '/sagestack/dev/churn/db-password' says it holds a secret",
          "secret-named-string-parameter"),
    _case("ssm-no-plaintext-secrets",
          lambda s: replaced(s, "param", value="-----BEGIN RSA PRIVATE KEY-----\nMIIE..."),
          "its value looks like a private key", "private-key-in-a-string-parameter"),
    _case("ssm-no-plaintext-secrets",
          lambda s: replaced(s, "param", value="https://ml:hunter2@registry.example.com/simple"),
          "its value looks like a URL with a password", "credentials-in-a-url-parameter"),
    _case("sagemaker-endpoint-config-kms", lambda s: replaced(s, "endpoint-config", kmsKeyArn=None),
          "kmsKeyArn is not set", "endpoint-config-without-key"),
    _case("sagemaker-endpoint-config-data-capture",
          lambda s: replaced(s, "endpoint-config", dataCaptureConfig=None),
          "does not enable capture", "endpoint-config-without-capture"),
    _case("sagemaker-endpoint-config-data-capture",
          lambda s: replaced(s, "endpoint-config",
                             dataCaptureConfig={**CAPTURE, "enableCapture": False}),
          "does not enable capture", "endpoint-config-capture-off"),
    _case("sagemaker-endpoint-config-data-capture",
          lambda s: replaced(s, "endpoint-config", dataCaptureConfig={**CAPTURE, "kmsKeyId": ""}),
          "dataCaptureConfig.kmsKeyId is not set", "captured-data-unencrypted"),
    _case("sagemaker-model-network-isolation",
          lambda s: replaced(s, "model", enableNetworkIsolation=False),
          "enableNetworkIsolation is not true", "model-with-network"),
    _case("sagemaker-feature-group-encrypted",
          lambda s: replaced(s, "features", onlineStoreConfig={"enableOnlineStore": True}),
          "onlineStoreConfig.securityConfig.kmsKeyId is not set", "online-store-unencrypted"),
    _case("sagemaker-feature-group-encrypted",
          lambda s: replaced(s, "features",
                             offlineStoreConfig={"s3StorageConfig": {"s3Uri": "s3://a/f"}}),
          "offlineStoreConfig.s3StorageConfig.kmsKeyId is not set", "offline-store-unencrypted"),
    _case("sagemaker-notebook-locked-down",
          lambda s: replaced(s, "notebook", directInternetAccess="Enabled"),
          "directInternetAccess is Enabled", "notebook-with-internet"),
    _case("sagemaker-notebook-locked-down", lambda s: replaced(s, "notebook", rootAccess=None),
          "rootAccess is Enabled (the default)", "notebook-with-root"),
    _case("codebuild-project-encrypted", lambda s: replaced(s, "build", encryptionKey=None),
          "encryptionKey is not set", "codebuild-project-without-key"),
    _case("iam-cross-account-trust-conditioned",
          lambda s: replaced(s, "deployer", assumeRolePolicy=_trust({"AWS": OTHER_ACCOUNT})),
          f"trusts ['{OTHER_ACCOUNT}'] without an sts:ExternalId", "other-account-trusted-bare"),
    _case("iam-github-oidc-trust-sub",
          lambda s: replaced(s, "github", assumeRolePolicy=_github_trust(None)),
          "without a token.actions.githubusercontent.com:sub condition", "github-oidc-any-repo"),
    _case("iam-github-oidc-trust-sub",
          lambda s: replaced(s, "github", assumeRolePolicy=_github_trust("repo:*")),
          "without a token.actions.githubusercontent.com:sub condition",
          "github-oidc-sub-wildcard"),
    _case("s3-sse-kms", lambda s: replaced(s, "artifacts-sse", rules=AES256),
          "does not default to SSE-KMS", "bucket-with-sse-s3"),
    _case("s3-tls-only", lambda s: without(s, "artifacts-policy"),
          "has no policy denying requests without TLS", "bucket-without-tls-policy"),
]  # fmt: skip
