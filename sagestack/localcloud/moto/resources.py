"""What authorization reads of moto's resources: resource policies (bucket, key, topic), the
bucket's owner and default encryption, an object's KMS key, a key's ARN from any of its names,
a secret's full ARN. Every lookup answers None for a resource that does not exist: the service
itself then answers its own not-found error after authorization."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID

PARTITION = "aws"


@dataclass(frozen=True)
class Bucket:
    name: str
    account_id: str
    policy: str | None
    default_kms_key: str | None  # the default SSE-KMS key, when SSE-KMS is the default


def find_bucket(name: str) -> Bucket | None:
    from moto.s3.models import s3_backends

    owner = s3_backends.bucket_accounts.get(name)
    if owner is None:
        return None
    partition, account_id = owner
    bucket = s3_backends[account_id][partition].buckets.get(name)
    if bucket is None:
        return None
    return Bucket(
        name=name,
        account_id=account_id,
        policy=bucket.policy.decode() if bucket.policy else None,
        default_kms_key=_default_kms_key(bucket.encryption),
    )


def _default_kms_key(encryption: dict[str, Any] | None) -> str | None:
    if not encryption:
        return None
    default = encryption["Rule"]["ApplyServerSideEncryptionByDefault"]
    if default.get("SSEAlgorithm") not in ("aws:kms", "aws:kms:dsse"):
        return None
    return default.get("KMSMasterKeyID") or "alias/aws/s3"


def object_kms_key(bucket_name: str, key_name: str, version_id: str | None) -> str | None:
    """The KMS key an existing object is encrypted with (None: not SSE-KMS, or no object)."""
    from moto.s3.models import s3_backends

    owner = s3_backends.bucket_accounts.get(bucket_name)
    if owner is None:
        return None
    partition, account_id = owner
    try:
        key = s3_backends[account_id][partition].get_object(bucket_name, key_name, version_id)
    except Exception:  # a missing bucket, key or version: S3 answers for itself
        return None
    if key is None or getattr(key, "encryption", None) not in ("aws:kms", "aws:kms:dsse"):
        return None
    return key.kms_key_id or "alias/aws/s3"


def _kms(account_id: str, region: str) -> Any:
    from moto.kms.models import kms_backends

    return kms_backends[account_id][region]


def kms_key_arn(key: str, account_id: str, region: str) -> str | None:
    """The key ARN of ``key`` (a key id, key ARN, alias name or alias ARN), or None."""
    if key.startswith("arn:"):
        parts = key.split(":")
        if len(parts) >= 6:
            account_id, region = parts[4], parts[3]
    backend = _kms(account_id, region)
    try:
        return backend.keys[backend.any_id_to_key_id(key)].arn
    except (KeyError, AttributeError, TypeError):
        return None


def kms_key_of_ciphertext(blob: str, account_id: str, region: str) -> str | None:
    """The ARN of the key a ``CiphertextBlob`` (base64) was made with, read from moto's
    ciphertext header."""
    from moto.kms.utils import _deserialize_ciphertext_blob

    try:
        key_id = _deserialize_ciphertext_blob(base64.b64decode(blob)).key_id
    except Exception:  # not moto's ciphertext: bad base64, a short header (struct.error)
        return None
    return kms_key_arn(key_id, account_id, region)


def kms_key_policy(key_arn: str) -> str | None:
    parts = key_arn.split(":")
    backend = _kms(parts[4], parts[3])
    key = backend.keys.get(parts[5].removeprefix("key/"))
    return key.policy if key is not None else None


def topic_policy(topic_arn: str) -> str | None:
    from moto.sns.models import sns_backends

    parts = topic_arn.split(":")
    if len(parts) != 6:
        return None
    topic = sns_backends[parts[4]][parts[3]].topics.get(topic_arn)
    return topic.policy if topic is not None else None


def secret_arn(secret_id: str, account_id: str, region: str) -> str | None:
    """The full ARN (with its random suffix) of a secret named or ARN'd ``secret_id``."""
    from moto.secretsmanager.models import secretsmanager_backends

    backend = secretsmanager_backends[account_id or DEFAULT_ACCOUNT_ID][region]
    secret = backend.secrets.get(secret_id)
    return secret.arn if secret is not None else None


def next_model_package_version(group: str, account_id: str, region: str) -> int:
    """The version SageMaker gives the next package registered in ``group``."""
    from moto.sagemaker.models import sagemaker_backends

    packages = sagemaker_backends[account_id][region].model_packages.values()
    return 1 + sum(1 for package in packages if package.model_package_group_name == group)
