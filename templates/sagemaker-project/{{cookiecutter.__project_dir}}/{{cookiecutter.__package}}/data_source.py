"""Where the training data is: the bundled sample, an S3 prefix, or a platform feature group."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

from . import sample_data, settings
from .platform import PlatformConfig, PlatformConfigError


@dataclass(frozen=True)
class TrainingData:
    uri: str  # S3 prefix the preprocess step reads
    drop_columns: tuple[str, ...] = ()  # columns that are neither features nor the target


def resolve(config: PlatformConfig, s3=None, sagemaker=None) -> TrainingData:
    if settings.DATA_SOURCE == "sample":
        return upload_sample(config, s3)
    if settings.DATA_SOURCE == "feature_group":
        return feature_group_data(config, sagemaker)
    return TrainingData(settings.S3_DATA_URI)


def upload_sample(config: PlatformConfig, s3=None) -> TrainingData:
    """Upload the sample once per content: its key carries the content's hash."""
    s3 = s3 or _client("s3")
    with tempfile.TemporaryDirectory() as folder:
        path = sample_data.write_sample(folder)
        digest = path.stem.removeprefix("sample-")
        key = f"{config.artifact_prefix}/data/sample/{digest}/sample.csv"
        s3.upload_file(str(path), config.artifact_bucket, key, ExtraArgs={
            "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": config.kms_key_arn})
    return TrainingData(config.s3_uri("data", "sample", digest) + "/")


def physical_feature_group(config: PlatformConfig) -> str:
    """The platform names a feature group ``<prefix>-<name>``; the answer gave ``<name>``."""
    name = settings.FEATURE_GROUP
    matches = [group for group in config.feature_groups
               if group == name or group.endswith(f"-{name}")]
    if len(matches) != 1:
        raise PlatformConfigError(
            f"feature group '{name}' is not one of this project's feature groups "
            f"{list(config.feature_groups)}: add it to the project's featureGroups in the "
            "stack config"
        )
    return matches[0]


def feature_group_data(config: PlatformConfig, sagemaker=None) -> TrainingData:
    group = physical_feature_group(config)
    described = (sagemaker or _client("sagemaker")).describe_feature_group(
        FeatureGroupName=group
    )
    storage = described.get("OfflineStoreConfig", {}).get("S3StorageConfig", {})
    uri = storage.get("ResolvedOutputS3Uri") or storage.get("S3Uri")
    if not uri:
        raise PlatformConfigError(
            f"feature group '{group}' has no offline store to train from"
        )
    drop = (described["RecordIdentifierFeatureName"], described["EventTimeFeatureName"])
    return TrainingData(uri.rstrip("/") + "/", drop)


def _client(service: str):
    import boto3

    return boto3.client(service)
