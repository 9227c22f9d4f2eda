"""Batch transform runs the endpoint's model server over S3 input, as a transform job."""

from __future__ import annotations

from hosting_support import BUCKET


def _job(hosting, name: str, prefix: str, **output) -> dict:
    hosting.client("sagemaker").create_transform_job(
        TransformJobName=name,
        ModelName="xgb",
        BatchStrategy="MultiRecord",
        TransformInput={
            "DataSource": {
                "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/{prefix}"}
            },
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        TransformOutput={
            "S3OutputPath": f"s3://{BUCKET}/{name}-out",
            "AssembleWith": "Line",
            **output,
        },
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
    )
    return hosting.client("sagemaker").describe_transform_job(TransformJobName=name)


def _finished(hosting, name: str) -> dict:
    from hosting_support import eventually

    sagemaker = hosting.client("sagemaker")
    return eventually(
        lambda: (
            (d := sagemaker.describe_transform_job(TransformJobName=name))["TransformJobStatus"]
            not in ("InProgress", "Stopping")
            and d
        ),
        timeout=120,
    )


def test_a_transform_job_writes_one_prediction_per_record_for_each_input_object(hosting):
    s3 = hosting.client("s3")
    s3.put_object(Bucket=BUCKET, Key="batch/a.csv", Body=b"3,0,3\n10,1,0\n")
    s3.put_object(Bucket=BUCKET, Key="batch/more/b.csv", Body=b"20,2,0\n")
    key = hosting.client("kms").create_key()["KeyMetadata"]["Arn"]
    hosting.model("xgb", kind="xgboost")

    started = _job(hosting, "t1", "batch", KmsKeyId=key)
    finished = _finished(hosting, "t1")

    assert started["TransformJobStatus"] == "InProgress"
    assert finished["TransformJobStatus"] == "Completed", finished.get("FailureReason")
    a = s3.get_object(Bucket=BUCKET, Key="t1-out/a.csv.out")
    b = s3.get_object(Bucket=BUCKET, Key="t1-out/more/b.csv.out")
    first = [float(v) for v in a["Body"].read().decode().splitlines()]
    second = [float(v) for v in b["Body"].read().decode().splitlines()]
    assert len(first) == 2 and len(second) == 1
    assert first[0] < first[1] < second[0]  # the model learnt the first feature
    assert (a["ServerSideEncryption"], a["SSEKMSKeyId"]) == ("aws:kms", key)


def test_a_transform_job_fails_when_the_model_refuses_a_record(hosting):
    hosting.client("s3").put_object(Bucket=BUCKET, Key="bad/a.csv", Body=b"a,b,c\n")
    hosting.model("xgb", kind="xgboost")

    _job(hosting, "t2", "bad")
    finished = _finished(hosting, "t2")

    assert finished["TransformJobStatus"] == "Failed"
    assert finished["FailureReason"] == "AlgorithmError: See job logs for more information"
    listed = hosting.client("s3").list_objects_v2(Bucket=BUCKET, Prefix="t2-out/")
    assert "Contents" not in listed
