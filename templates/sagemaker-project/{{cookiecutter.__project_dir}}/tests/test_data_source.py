"""The training data's real path: from where the data source says the data is, through the copy a
SageMaker processing step gets of that S3 prefix (/opt/ml/processing/input), into preprocess."""

from __future__ import annotations
{% if cookiecutter.__data_kind != "sample" %}
import json
from contextlib import contextmanager
{%- endif %}
from pathlib import Path

import boto3
import pandas as pd
{%- if cookiecutter.__data_kind != "sample" %}
import pytest
from botocore.exceptions import ClientError
{%- endif %}

import preprocess
from {{ cookiecutter.__package }} import data_source, sample_data, settings

TARGET = settings.TARGET_COLUMN


def download_prefix(uri: str, folder: Path, s3=None) -> list[Path]:
    """What an S3Prefix processing input in File mode does: every object under the prefix,
    at its path relative to the prefix."""
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    s3 = s3 or boto3.client("s3")
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
{%- if cookiecutter.__data_kind != "sample" %}


def _reader(name: str, resources: list[str]):
    """An S3 client acting as an IAM user allowed s3:GetObject and s3:ListBucket on
    ``resources`` only, as the platform's dataSources grant the pipeline's role."""
    iam = boto3.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="data", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                       "Resource": resources}],
    }))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return boto3.client("s3", aws_access_key_id=key["AccessKeyId"],
                        aws_secret_access_key=key["SecretAccessKey"])


@contextmanager
def iam_enforced(endpoint: str):
    """The local AWS checks every request against IAM, as AWS does (moto's reset-auth), until
    the block ends."""
    import requests

    answer = requests.post(f"{endpoint}/moto-api/reset-auth", data=b"0", timeout=10)
    previous = answer.json()["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]
    try:
        yield
    finally:
        requests.post(f"{endpoint}/moto-api/reset-auth", data=str(previous).encode(), timeout=10)


def test_without_the_platforms_grant_the_data_path_fails_with_access_denied(
    config, aws_endpoint, tmp_path
):
    """What the first pipeline step meets when the stack config does not grant the data (the
    project's dataSources, or its featureGroups): AccessDenied on the data's prefix."""
    data = data_source.resolve(config)
    bucket, _, prefix = data.uri.removeprefix("s3://").partition("/")
    s3 = boto3.client("s3")
    if bucket not in {listed["Name"] for listed in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=bucket)
    key = f"{prefix.rstrip('/')}/part-0.csv"
    s3.put_object(Bucket=bucket, Key=key, Body=b"a,b\n1,2\n")
    granted = _reader("granted", [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/{prefix}*"])
    elsewhere = _reader("elsewhere", [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/other/*"])

    try:
        with iam_enforced(aws_endpoint):
            assert download_prefix(data.uri, tmp_path / "granted", granted)
            with pytest.raises(ClientError) as denied:
                download_prefix(data.uri, tmp_path / "denied", elsewhere)
    finally:
        s3.delete_object(Bucket=bucket, Key=key)  # the other tests read this prefix whole

    # downloads start with HeadObject, whose refusal has no body: S3 answers 403 Forbidden
    assert denied.value.response["Error"]["Code"] in ("AccessDenied", "403")
{%- endif %}
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
