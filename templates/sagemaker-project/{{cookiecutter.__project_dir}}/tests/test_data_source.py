"""The training data's real path: from where the data source says the data is, through the copy a
SageMaker processing step gets of that S3 prefix (/opt/ml/processing/input), into preprocess."""

from __future__ import annotations

from pathlib import Path

import boto3
import pandas as pd

import preprocess
from {{ cookiecutter.__package }} import data_source, sample_data, settings

TARGET = settings.TARGET_COLUMN


def download_prefix(uri: str, folder: Path) -> list[Path]:
    """What an S3Prefix processing input in File mode does: every object under the prefix,
    at its path relative to the prefix."""
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    s3 = boto3.client("s3")
    written = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            path = folder / item["Key"][len(prefix):].lstrip("/")
            path.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, item["Key"], str(path))
            written.append(path)
    return written


def preprocessed_rows(data: data_source.TrainingData, base: Path) -> pd.DataFrame:
    assert download_prefix(data.uri, base / "input"), f"nothing under {data.uri}"
    written = preprocess.preprocess(base, TARGET, settings.PROBLEM_TYPE, data.drop_columns)
    return pd.concat([pd.read_csv(written["train"]), pd.read_csv(written["test"])])
{%- if cookiecutter.__data_kind == "s3" %}


def test_the_objects_under_the_s3_data_prefix_are_what_preprocess_reads(config, tmp_path):
    bucket, _, prefix = settings.S3_DATA_URI.removeprefix("s3://").partition("/")
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=bucket)
    frame = sample_data.sample_frame()
    half = len(frame) // 2
    # a CSV part and a Parquet part, as an export often leaves them
    s3.put_object(Bucket=bucket, Key=f"{prefix}part-0.csv",
                  Body=frame.iloc[:half].to_csv(index=False).encode())
    s3.put_object(Bucket=bucket, Key=f"{prefix}part-1.parquet",
                  Body=frame.iloc[half:].to_parquet(index=False))

    data = data_source.resolve(config)

    assert data.uri == settings.S3_DATA_URI
    rows = preprocessed_rows(data, tmp_path)
    assert len(rows) == len(frame)
    assert list(rows.columns)[0] == TARGET
{%- elif cookiecutter.__data_kind == "feature_group" %}


def test_the_records_in_the_feature_groups_offline_store_are_what_preprocess_reads(
    config, tmp_path
):
    group = data_source.physical_feature_group(config)
    described = boto3.client("sagemaker").describe_feature_group(FeatureGroupName=group)
    offline = described["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"]
    frame = sample_data.sample_frame()
    # what the offline store holds for each record: its identifier, its event time, and the
    # store's own bookkeeping columns, in Parquet files partitioned by event time
    records = frame.assign(
        record_id=[f"r{index}" for index in range(len(frame))],
        event_time="2024-05-01T10:00:00Z",
        write_time=pd.Timestamp("2024-05-01T10:05:00Z"),
        api_invocation_time=pd.Timestamp("2024-05-01T10:04:00Z"),
        is_deleted=False,
    )
    bucket, _, key = offline.removeprefix("s3://").partition("/")
    boto3.client("s3").put_object(
        Bucket=bucket, Key=f"{key}/year=2024/month=05/day=01/hour=10/records.parquet",
        Body=records.to_parquet(index=False))

    data = data_source.resolve(config)

    assert data.drop_columns == ("record_id", "event_time")
    rows = preprocessed_rows(data, tmp_path)
    assert len(rows) == len(frame)
    assert sorted(rows.columns) == sorted(frame.columns)
{%- else %}


def test_the_sample_uploaded_to_the_projects_prefix_is_what_preprocess_reads(config, tmp_path):
    data = data_source.resolve(config)

    assert data.uri.startswith(config.s3_uri("data", "sample"))
    rows = preprocessed_rows(data, tmp_path)
    assert len(rows) == len(sample_data.sample_frame())
{%- endif %}
