"""Training jobs run as local processes with SageMaker's training container contract: the
built-in XGBoost algorithm as each image version writes its model, script mode as the framework
images' training toolkit runs it, failures and time limits as SageMaker reports them."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile

import pytest
from pipeline_runs import XGBOOST_IMAGE, job_log, wait_for_job

from sagestack.localcloud.executors import images

GROUP = "/aws/sagemaker/TrainingJobs"
HYPERPARAMETERS = {"objective": "reg:linear", "num_round": "8", "max_depth": "3", "eta": "0.3"}
# loads xgboost-model the way each image's own evaluation scripts do
LOADERS = {
    "pickle": "import pickle; booster = pickle.load(open('xgboost-model', 'rb'))",
    "save_model": "import xgboost as x; booster = x.Booster(); booster.load_model('xgboost-model')",
}


def _rows(count: int, offset: int = 0) -> str:
    return "".join(f"{2 * x + 1},{x},{x % 3}\n" for x in range(offset, offset + count))


def _train(world, name: str, image: str, hyperparameters: dict, **changes) -> None:
    world.put("train/rows.csv", _rows(40))
    world.put("validation/rows.csv", _rows(10, 40))
    channels = [
        {
            "ChannelName": channel,
            "ContentType": "text/csv",
            "DataSource": {
                "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": world.uri(f"{channel}/")}
            },
        }
        for channel in ("train", "validation")
    ]
    world.sagemaker.create_training_job(
        **{
            "TrainingJobName": name,
            "RoleArn": world.role,
            "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
            "HyperParameters": hyperparameters,
            "InputDataConfig": channels,
            "OutputDataConfig": {"S3OutputPath": world.uri("models")},
            "ResourceConfig": {
                "InstanceType": "ml.m5.large",
                "InstanceCount": 1,
                "VolumeSizeInGB": 1,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 600},
            **changes,
        }
    )


def _model_member(world, key: str, member: str) -> bytes:
    body = world.s3.get_object(Bucket=world.BUCKET, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body)) as archive:
        return archive.extractfile(member).read()


@pytest.mark.parametrize(
    ("version", "model_format"), [("1.0-1-cpu-py3", "pickle"), ("1.7-1", "save_model")]
)
def test_the_built_in_xgboost_algorithm_writes_the_model_its_image_version_writes(
    world, tmp_path, version, model_format
):
    image = XGBOOST_IMAGE.format(version=version)
    _train(world, "builtin", image, HYPERPARAMETERS)
    described = wait_for_job(world.sagemaker, "TrainingJob", "builtin")
    assert described["TrainingJobStatus"] == "Completed", described.get("FailureReason")
    artifacts = described["ModelArtifacts"]["S3ModelArtifacts"]
    assert artifacts == world.uri("models/builtin/output/model.tar.gz")
    (tmp_path / "xgboost-model").write_bytes(
        _model_member(world, "models/builtin/output/model.tar.gz", "xgboost-model")
    )
    python = images.environment_python(images.image_for_uri(image))
    check = f"{LOADERS[model_format]}; print(type(booster).__name__)"
    loaded = subprocess.run([python, "-c", check], cwd=tmp_path, capture_output=True, text=True)
    assert loaded.stdout.strip().endswith("Booster"), loaded.stderr
    other = LOADERS["save_model" if model_format == "pickle" else "pickle"]
    assert subprocess.run([python, "-c", other], cwd=tmp_path, capture_output=True).returncode
    metrics = {m["MetricName"] for m in described["FinalMetricDataList"]}
    assert {"train:rmse", "validation:rmse"} <= metrics
    log = job_log(world.logs, GROUP, "builtin")
    assert any(line.startswith("[7]\ttrain-rmse:") for line in log)
    secondary = [t["Status"] for t in described["SecondaryStatusTransitions"]]
    assert secondary == ["Starting", "Downloading", "Training", "Uploading", "Completed"]


@pytest.mark.parametrize(
    ("hyperparameters", "reason"),
    [
        ({"max_depth": "3"}, "ClientError: Missing required hyperparameter: num_round"),
        (
            {"num_round": "2", "depth": "3"},
            "ClientError: Hyperparameter depth: is not a valid hyperparameter name",
        ),
    ],
)
def test_bad_hyperparameters_fail_the_built_in_algorithm_as_the_customer_s_error(
    world, hyperparameters, reason
):
    _train(world, "refused", XGBOOST_IMAGE.format(version="1.7-1"), hyperparameters)
    described = wait_for_job(world.sagemaker, "TrainingJob", "refused")
    assert (described["TrainingJobStatus"], described["FailureReason"]) == ("Failed", reason)


TRAIN_SCRIPT = """
import argparse, json, os, sys
parser = argparse.ArgumentParser()
parser.add_argument('--depth', type=int)
parser.add_argument('--tag')
args = parser.parse_args()
if args.tag == 'broken':
    raise RuntimeError('the tag is broken')
seen = {'argv': sys.argv[1:], 'channel': sorted(os.listdir(os.environ['SM_CHANNEL_TRAIN'])),
        'hps': json.loads(os.environ['SM_HPS']), 'model_dir': os.environ['SM_MODEL_DIR'],
        'job': os.environ['TRAINING_JOB_NAME'], 'cwd': os.getcwd()}
with open(os.path.join(os.environ['SM_MODEL_DIR'], 'seen.json'), 'w') as f:
    json.dump(seen, f)
"""


def _script_mode(world, name: str, tag: str) -> None:
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        info = tarfile.TarInfo("train.py")
        info.size = len(TRAIN_SCRIPT.encode())
        tar.addfile(info, io.BytesIO(TRAIN_SCRIPT.encode()))
    submitted = world.put("code/sourcedir.tar.gz", archive.getvalue())
    hyperparameters = {  # as SDK v2 framework estimators write them: JSON-encoded
        "sagemaker_program": json.dumps("train.py"),
        "sagemaker_submit_directory": json.dumps(submitted),
        "tag": json.dumps(tag),  # the toolkit sorts the arguments
        "depth": "4",
    }
    _train(world, name, XGBOOST_IMAGE.format(version="1.7-1"), hyperparameters)


def test_script_mode_runs_the_submitted_script_with_the_toolkit_s_arguments_and_variables(
    world,
):
    _script_mode(world, "script", "green")
    described = wait_for_job(world.sagemaker, "TrainingJob", "script")
    assert described["TrainingJobStatus"] == "Completed", described.get("FailureReason")
    seen = json.loads(_model_member(world, "models/script/output/model.tar.gz", "seen.json"))
    assert seen == {
        "argv": ["--depth", "4", "--tag", "green"],
        "channel": ["rows.csv"],
        "hps": {"depth": 4, "tag": "green"},
        "model_dir": "/opt/ml/model",
        "job": "script",
        "cwd": "/opt/ml/code",
    }


def test_a_failing_script_fails_its_training_job_with_the_toolkit_s_error(world):
    _script_mode(world, "script-fails", "broken")
    described = wait_for_job(world.sagemaker, "TrainingJob", "script-fails")
    assert described["TrainingJobStatus"] == "Failed"
    reason = described["FailureReason"]
    assert reason.startswith("AlgorithmError: ExecuteUserScriptError:\nExitCode 1\n")
    assert 'RuntimeError: the tag is broken"' in reason
    assert reason.endswith('train.py --depth 4 --tag broken"')
    assert "Traceback (most recent call last):" in job_log(world.logs, GROUP, "script-fails")


def test_a_training_job_past_its_max_runtime_is_stopped_as_max_runtime_exceeded(world):
    specification = {
        "TrainingImage": XGBOOST_IMAGE.format(version="1.7-1"),
        "TrainingInputMode": "File",
        "ContainerEntrypoint": ["python3", "-c", "import time; time.sleep(60)"],
    }
    _train(
        world,
        "overtime",
        "",
        {},
        AlgorithmSpecification=specification,
        StoppingCondition={"MaxRuntimeInSeconds": 1},
    )
    described = wait_for_job(world.sagemaker, "TrainingJob", "overtime", timeout=30)
    assert described["TrainingJobStatus"] == "Stopped"
    assert described["SecondaryStatus"] == "MaxRuntimeExceeded"


def test_stop_training_job_stops_it(world, aws_error):
    specification = {
        "TrainingImage": XGBOOST_IMAGE.format(version="1.7-1"),
        "TrainingInputMode": "File",
        "ContainerEntrypoint": ["python3", "-c", "import time; time.sleep(60)"],
    }
    _train(world, "stopped", "", {}, AlgorithmSpecification=specification)
    world.sagemaker.stop_training_job(TrainingJobName="stopped")
    described = wait_for_job(world.sagemaker, "TrainingJob", "stopped", timeout=30)
    assert described["TrainingJobStatus"] == "Stopped"
    error = aws_error(lambda: world.sagemaker.stop_training_job(TrainingJobName="stopped"))
    assert error["Error"]["Message"] == (
        "The request was rejected because the training job is in status Stopped."
    )
