"""Helpers of the pipeline and job tests: wait for an execution or a job, read its steps and
its log."""

from __future__ import annotations

import time
from typing import Any

# the scenarios' own wait, for the tests that import it from here
from sagestack.scenarios.executions import wait_for_execution  # noqa: F401

JOB_FINISHED = frozenset({"Completed", "Failed", "Stopped"})


def wait_for_job(sagemaker: Any, kind: str, name: str, timeout: float = 60.0) -> dict[str, Any]:
    """Describe<kind> (``ProcessingJob``, ``TrainingJob``) once the job ended."""
    describe = {
        "ProcessingJob": sagemaker.describe_processing_job,
        "TrainingJob": sagemaker.describe_training_job,
    }[kind]
    deadline = time.monotonic() + timeout
    while True:
        described = describe(**{f"{kind}Name": name})
        if described[f"{kind}Status"] in JOB_FINISHED:
            return described
        if time.monotonic() > deadline:
            raise TimeoutError(f"{kind} {name} still {described[f'{kind}Status']}")
        time.sleep(0.05)


def steps_by_name(sagemaker: Any, arn: str) -> dict[str, dict[str, Any]]:
    listed = sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=arn, MaxResults=100)
    return {step["StepName"]: step for step in listed["PipelineExecutionSteps"]}


def job_log(logs: Any, group: str, job_name: str) -> list[str]:
    """Every line of the job's log streams (``<job>/algo-1-<time>``)."""
    streams = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=f"{job_name}/")
    lines = []
    for stream in streams["logStreams"]:
        events = logs.get_log_events(
            logGroupName=group, logStreamName=stream["logStreamName"], startFromHead=True
        )
        lines += [event["message"] for event in events["events"]]
    return lines


SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:{version}"
SAGEMAKER_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
# what the tests' jobs and pipelines do, and nothing more
ROLE_ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "sagemaker:CreateProcessingJob",
    "sagemaker:DescribeProcessingJob",
    "sagemaker:StopProcessingJob",
    "sagemaker:CreateTrainingJob",
    "sagemaker:DescribeTrainingJob",
    "sagemaker:StopTrainingJob",
    "sagemaker:CreateTransformJob",
    "sagemaker:DescribeTransformJob",
    "sagemaker:CreateModel",
    "sagemaker:DescribeModel",
    "sagemaker:CreateModelPackage",
    "sagemaker:DescribeModelPackage",
]


def execution_role(iam: Any, name: str, bucket: str, path: str = "/") -> str:
    """A role SageMaker may assume, allowed what the tests' jobs and pipelines do."""
    import json

    arn = iam.create_role(
        RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(SAGEMAKER_TRUST)
    )["Role"]["Arn"]
    statements = [
        {
            "Effect": "Allow",
            "Action": [a for a in ROLE_ACTIONS if a.startswith("s3:")],
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        },
        {
            "Effect": "Allow",
            "Action": [a for a in ROLE_ACTIONS if not a.startswith("s3:")],
            "Resource": "*",
        },
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": arn},
    ]
    iam.put_role_policy(
        RoleName=name,
        PolicyName="jobs",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )
    return arn


def python_step(
    name: str,
    code: str,
    role: str,
    *,
    arguments: list | None = None,
    inputs: list | None = None,
    outputs: list | None = None,
    **step_keys: Any,
) -> dict[str, Any]:
    """A Processing step running ``python3 -c code`` on the scikit-learn image."""
    arguments_body: dict[str, Any] = {
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 1,
            }
        },
        "AppSpecification": {
            "ImageUri": SKLEARN_IMAGE,
            "ContainerEntrypoint": ["python3", "-c", code],
            "ContainerArguments": arguments or [],
        },
        "RoleArn": role,
        "ProcessingInputs": inputs or [],
    }
    if outputs:
        arguments_body["ProcessingOutputConfig"] = {"Outputs": outputs}
    if not arguments:
        del arguments_body["AppSpecification"]["ContainerArguments"]
    return {"Name": name, "Type": "Processing", "Arguments": arguments_body, **step_keys}


def s3_input(name: str, uri: Any, local_path: str) -> dict[str, Any]:
    return {
        "InputName": name,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": local_path,
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
        },
    }


def s3_output(name: str, uri: Any, local_path: str) -> dict[str, Any]:
    return {
        "OutputName": name,
        "S3Output": {"S3Uri": uri, "LocalPath": local_path, "S3UploadMode": "EndOfJob"},
    }


def definition(steps: list[dict], parameters: list[dict] | None = None) -> str:
    import json

    return json.dumps(
        {"Version": "2020-12-01", "Metadata": {}, "Parameters": parameters or [], "Steps": steps}
    )


class World:
    """A bucket and an execution role in a fresh local cloud, and the clients to use them."""

    BUCKET = "pipeline-tests"
    ROLE_NAME = "pipeline-tests"

    def __init__(self) -> None:
        import boto3

        self.s3 = boto3.client("s3")
        self.sagemaker = boto3.client("sagemaker")
        self.logs = boto3.client("logs")
        self.iam = boto3.client("iam")
        self.s3.create_bucket(Bucket=self.BUCKET)
        self.role = execution_role(self.iam, self.ROLE_NAME, self.BUCKET)

    def uri(self, key: str) -> str:
        return f"s3://{self.BUCKET}/{key}"

    def put(self, key: str, body: str | bytes) -> str:
        self.s3.put_object(Bucket=self.BUCKET, Key=key, Body=body)
        return self.uri(key)

    def read(self, key: str) -> str:
        return self.s3.get_object(Bucket=self.BUCKET, Key=key)["Body"].read().decode()

    def keys(self, prefix: str = "") -> list[str]:
        listed = self.s3.list_objects_v2(Bucket=self.BUCKET, Prefix=prefix)
        return [item["Key"] for item in listed.get("Contents", [])]

    def create_pipeline(self, name: str, steps: list[dict], parameters: list | None = None) -> str:
        return self.sagemaker.create_pipeline(
            PipelineName=name, RoleArn=self.role, PipelineDefinition=definition(steps, parameters)
        )["PipelineArn"]

    def start(self, name: str, **parameters: str) -> str:
        given = [{"Name": key, "Value": value} for key, value in parameters.items()]
        return self.sagemaker.start_pipeline_execution(PipelineName=name, PipelineParameters=given)[
            "PipelineExecutionArn"
        ]

    def run(self, name: str, **parameters: str) -> tuple[dict, dict[str, dict]]:
        """Start an execution and wait for it: (its description, its steps by name)."""
        arn = self.start(name, **parameters)
        return wait_for_execution(self.sagemaker, arn), steps_by_name(self.sagemaker, arn)
