"""Processing jobs run as local processes with SageMaker's processing container contract, and
their records, logs and events show it."""

from __future__ import annotations

import json

import boto3
import pytest
from pipeline_runs import SKLEARN_IMAGE, job_log, wait_for_job

from sagestack.localcloud.executors import images

GROUP = "/aws/sagemaker/ProcessingJobs"
SCRIPT = """
import json, os, pathlib, sys
base = pathlib.Path('/opt/ml/processing')
files = sorted(str(p.relative_to(base)) for p in (base / 'input').rglob('*') if p.is_file())
config = json.loads(pathlib.Path('/opt/ml/config/processingjobconfig.json').read_text())
resources = json.loads(pathlib.Path('/opt/ml/config/resourceconfig.json').read_text())
report = {'files': files, 'args': sys.argv[1:], 'cwd': os.getcwd(), 'colour': os.environ['COLOUR'],
          'job': config['ProcessingJobName'], 'host': resources['current_host']}
(base / 'report' / 'nested').mkdir(parents=True)
(base / 'report' / 'nested' / 'report.json').write_text(json.dumps(report))
print('report written')
"""


def _job(world, name: str, script: str, data: bool = True, **changes) -> dict:
    world.put("code/script.py", script)
    if data:
        world.put("data/a.csv", "1,2\n")
    request = {
        "ProcessingJobName": name,
        "RoleArn": world.role,
        "AppSpecification": {
            "ImageUri": SKLEARN_IMAGE,
            "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/script.py"],
            "ContainerArguments": ["--alpha", "1"],
        },
        "Environment": {"COLOUR": "teal"},
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 1,
            }
        },
        "ProcessingInputs": [
            _input("code", world.uri("code/script.py"), "/opt/ml/processing/input/code"),
            _input("data", world.uri("data/"), "/opt/ml/processing/input/data"),
        ],
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": "report",
                    "S3Output": {
                        "S3Uri": world.uri("out/report"),
                        "LocalPath": "/opt/ml/processing/report",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
        **changes,
    }
    world.sagemaker.create_processing_job(**request)
    return request


def _input(name: str, uri: str, path: str) -> dict:
    return {
        "InputName": name,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": path,
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
        },
    }


def test_a_processing_job_sees_its_inputs_arguments_and_config_and_its_outputs_go_to_s3(world):
    world.put("data/deeper/b.csv", "3,4\n")
    _job(world, "report", SCRIPT)
    described = wait_for_job(world.sagemaker, "ProcessingJob", "report")
    assert described["ProcessingJobStatus"] == "Completed", described.get("FailureReason")
    report = json.loads(world.read("out/report/nested/report.json"))
    assert report == {
        "files": ["input/code/script.py", "input/data/a.csv", "input/data/deeper/b.csv"],
        "args": ["--alpha", "1"],
        "cwd": "/opt/ml",
        "colour": "teal",
        "job": "report",
        "host": "algo-1",
    }
    assert described["Environment"] == {"COLOUR": "teal"}
    assert described["ProcessingResources"]["ClusterConfig"]["InstanceType"] == "ml.m5.large"
    assert described["CreationTime"] <= described["ProcessingStartTime"]
    assert described["ProcessingStartTime"] <= described["ProcessingEndTime"]
    assert "report written" in job_log(world.logs, GROUP, "report")


def test_a_script_that_exits_non_zero_fails_its_job_its_message_the_exit_message(world):
    script = "open('/opt/ml/output/message', 'w').write('no rows'); raise SystemExit(3)"
    _job(world, "broken", script)
    described = wait_for_job(world.sagemaker, "ProcessingJob", "broken")
    assert described["ProcessingJobStatus"] == "Failed"
    assert described["FailureReason"] == "AlgorithmError: See job logs for more information"
    assert described["ExitMessage"] == "no rows"
    assert world.keys("out/") == []  # outputs of a failed job are not uploaded


def test_a_job_past_its_max_runtime_is_stopped(world):
    _job(world, "slow", "import time; time.sleep(60)", StoppingCondition={"MaxRuntimeInSeconds": 1})
    described = wait_for_job(world.sagemaker, "ProcessingJob", "slow", timeout=30)
    assert described["ProcessingJobStatus"] == "Stopped"
    log = job_log(world.logs, GROUP, "slow")
    assert "sagestack: the job exceeded MaxRuntimeInSeconds (1) and was stopped" in log


@pytest.mark.parametrize(
    ("image", "said"),
    [
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/my-own:latest", "not a framework image"),
        (
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:0.20.0-cpu-py3",
            "version 0.20.0 is not one of them",
        ),
    ],
)
def test_an_image_the_local_cloud_cannot_run_fails_the_job_naming_it(world, image, said):
    specification = {"ImageUri": image, "ContainerEntrypoint": ["python3", "-c", "print(1)"]}
    _job(world, "imaged", "", AppSpecification=specification)
    described = wait_for_job(world.sagemaker, "ProcessingJob", "imaged")
    assert described["ProcessingJobStatus"] == "Failed"
    assert described["FailureReason"].startswith(f"ClientError: image {image} cannot be run")
    assert said in described["FailureReason"]


def test_an_input_prefix_with_nothing_under_it_fails_the_job(world):
    _job(world, "empty", "print('never')", data=False)
    described = wait_for_job(world.sagemaker, "ProcessingJob", "empty")
    assert described["FailureReason"].startswith(
        f'ClientError: No S3 objects found under S3 URL "{world.uri("data/")}"'
    )


def test_stopping_a_job_stops_its_process_and_a_finished_job_cannot_be_stopped(world, aws_error):
    _job(world, "napping", "import time; print('napping', flush=True); time.sleep(60)")
    _wait_for_log_line(world, "napping")
    world.sagemaker.stop_processing_job(ProcessingJobName="napping")
    described = wait_for_job(world.sagemaker, "ProcessingJob", "napping", timeout=20)
    assert described["ProcessingJobStatus"] == "Stopped"
    error = aws_error(lambda: world.sagemaker.stop_processing_job(ProcessingJobName="napping"))
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        "The request was rejected because the processing job is in status Stopped."
    )


def test_a_job_name_already_taken_is_refused(world, aws_error):
    _job(world, "twice", "print(1)")
    error = aws_error(lambda: _job(world, "twice", "print(2)"))["Error"]
    assert error["Code"] == "ResourceInUse"
    assert "processing-job/twice" in error["Message"]


def test_each_status_change_is_an_event_with_the_job_description(world):
    sqs, events = boto3.client("sqs"), boto3.client("events")
    queue = sqs.create_queue(QueueName="job-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    pattern = {
        "source": ["aws.sagemaker"],
        "detail-type": ["SageMaker Processing Job State Change"],
    }
    events.put_rule(Name="jobs", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="jobs", Targets=[{"Id": "q", "Arn": queue_arn}])
    _job(world, "watched", "print(1)")
    wait_for_job(world.sagemaker, "ProcessingJob", "watched")
    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    details = [json.loads(m["Body"])["detail"] for m in received.get("Messages", [])]
    assert [d["ProcessingJobStatus"] for d in details] == ["InProgress", "Completed"]
    completed = details[-1]
    assert completed["ProcessingJobName"] == "watched"
    assert isinstance(completed["ProcessingEndTime"], int)  # epoch milliseconds
    assert completed["AppSpecification"]["ImageUri"] == SKLEARN_IMAGE


def _wait_for_log_line(world, text: str, timeout: float = 30) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if text in job_log(world.logs, GROUP, "napping"):
                return
        except world.logs.exceptions.ResourceNotFoundException:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"no log line {text!r}")


def test_a_continuous_output_is_uploaded_while_the_job_runs(world):
    script = (
        "import pathlib, time; out = pathlib.Path('/opt/ml/processing/report'); "
        "(out / 'progress.txt').write_text('half way'); time.sleep(1.5); raise SystemExit(1)"
    )
    outputs = {
        "Outputs": [
            {
                "OutputName": "report",
                "S3Output": {
                    "S3Uri": world.uri("out/report"),
                    "LocalPath": "/opt/ml/processing/report",
                    "S3UploadMode": "Continuous",
                },
            }
        ]
    }
    _job(world, "continuous", script, ProcessingOutputConfig=outputs)
    described = wait_for_job(world.sagemaker, "ProcessingJob", "continuous")
    assert described["ProcessingJobStatus"] == "Failed"
    assert world.read("out/report/progress.txt") == "half way"


def test_the_job_log_names_every_way_the_local_environment_differs_from_the_image(world):
    _job(world, "differences", "print('done')")
    wait_for_job(world.sagemaker, "ProcessingJob", "differences")
    log = job_log(world.logs, GROUP, "differences")
    spec = images.image_for_uri(SKLEARN_IMAGE)
    assert spec.differences()  # sklearn 1.2-1's pandas and scipy have no wheel here
    assert log[: len(spec.differences())] == [
        f"sagestack: image {spec.name}: {line}" for line in spec.differences()
    ]
