"""What the endpoint tests share: tiny models trained in the images' own environments, and a
client that makes models, endpoint configs and endpoints the way a project would."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import tarfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from sagestack.localcloud.executors import images

SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
BUCKET = "hosting-tests"
VARIANT = "AllTraffic"

# A regression y = x1 + 2 x2 + 3, served by a script whose behaviour the model's environment
# sets: MODEL_OFFSET is added to every prediction (tells fleets apart), FAIL_TO_LOAD makes
# model_fn raise, PREDICT_DELAY_SECONDS slows predict_fn; a negative first feature raises.
INFERENCE_SCRIPT = """
import os
import time

import joblib
import numpy as np


def model_fn(model_dir):
    if os.environ.get("FAIL_TO_LOAD"):
        raise RuntimeError("this model does not load")
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def predict_fn(data, model):
    time.sleep(float(os.environ.get("PREDICT_DELAY_SECONDS", "0")))
    rows = np.atleast_2d(data)
    if (rows[:, 0] < 0).any():
        raise ValueError("negative first feature")
    return model.predict(rows) + float(os.environ.get("MODEL_OFFSET", "0"))
"""

TRAIN_SKLEARN = """
import joblib, numpy as np
from sklearn.linear_model import LinearRegression
x = np.array([[0, 0], [1, 0], [0, 1], [2, 3]], dtype=float)
joblib.dump(LinearRegression().fit(x, x[:, 0] + 2 * x[:, 1] + 3), "model.joblib")
"""

TRAIN_XGBOOST = """
import numpy as np, xgboost as xgb
x = np.array([[i, i % 3, i % 5] for i in range(40)], dtype=float)
params = {"objective": "reg:squarederror", "max_depth": 2}
booster = xgb.train(params, xgb.DMatrix(x, label=x[:, 0]), 10)
booster.save_model("xgboost-model")
"""


def _train(image_uri: str, script: str, folder: Path) -> None:
    python = images.environment_python(images.image_for_uri(image_uri))
    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    # bytecode is written (as the endpoint's own servers write it): later imports are fast
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [str(python), "-c", script], cwd=partial, env=environment, check=True, capture_output=True
    )
    partial.replace(folder)  # complete or absent: an interrupted training is redone


def _archive(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def archives_fingerprint() -> str:
    """Changes when the models would: their scripts or the images' environments."""
    specs = [images.image_for_uri(uri).fingerprint for uri in (SKLEARN_IMAGE, XGBOOST_IMAGE)]
    text = "|".join([*specs, INFERENCE_SCRIPT, TRAIN_SKLEARN, TRAIN_XGBOOST])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build_archives(folder: Path) -> dict[str, bytes]:
    """``model.tar.gz`` contents by kind: ``sklearn`` (script mode) and ``xgboost`` (built-in);
    trained once into ``folder`` (kept between sessions when it is a cache folder)."""
    jobs = [
        (SKLEARN_IMAGE, TRAIN_SKLEARN, "sklearn", "model.joblib"),
        (XGBOOST_IMAGE, TRAIN_XGBOOST, "xgboost", "xgboost-model"),
    ]
    threads = [
        threading.Thread(target=_train, args=(image, script, folder / kind))
        for image, script, kind, made in jobs
        if not (folder / kind / made).exists()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "sklearn": _archive(
            {
                "model.joblib": (folder / "sklearn" / "model.joblib").read_bytes(),
                "code/inference.py": INFERENCE_SCRIPT.encode(),
            }
        ),
        "xgboost": _archive({"xgboost-model": (folder / "xgboost" / "xgboost-model").read_bytes()}),
    }


SCRIPT_ENVIRONMENT = {
    "SAGEMAKER_PROGRAM": "inference.py",
    "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
}

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
PERMISSIONS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
            "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
        },
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": ["arn:aws:logs:*:*:log-group:/aws/sagemaker/*"],
        },
        {
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"],
            "Resource": ["arn:aws:kms:*:*:key/*"],
        },
    ],
}


@dataclass
class Hosting:
    """A project's view of SageMaker hosting on the local cloud, with the tests' models."""

    archives: Mapping[str, bytes]
    region: str = "us-east-1"
    clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = boto3.client(service, region_name=self.region)
        return self.clients[service]

    def setup(self) -> Hosting:
        self.client("s3").create_bucket(Bucket=BUCKET)
        for kind, archive in self.archives.items():
            self.client("s3").put_object(Bucket=BUCKET, Key=f"models/{kind}.tar.gz", Body=archive)
        iam = self.client("iam")
        self.role_arn = iam.create_role(
            RoleName="hosting-execution", AssumeRolePolicyDocument=json.dumps(TRUST)
        )["Role"]["Arn"]
        iam.put_role_policy(
            RoleName="hosting-execution",
            PolicyName="hosting",
            PolicyDocument=json.dumps(PERMISSIONS),
        )
        return self

    def model(self, name: str, kind: str = "sklearn", **environment: str) -> str:
        image = SKLEARN_IMAGE if kind == "sklearn" else XGBOOST_IMAGE
        base = SCRIPT_ENVIRONMENT if kind == "sklearn" else {}
        self.client("sagemaker").create_model(
            ModelName=name,
            ExecutionRoleArn=self.role_arn,
            PrimaryContainer={
                "Image": image,
                "ModelDataUrl": f"s3://{BUCKET}/models/{kind}.tar.gz",
                "Environment": {**base, **environment},
            },
        )
        return name

    def endpoint_config(
        self, name: str, model: str, instances: int = 1, capture: dict | None = None, **extra: Any
    ) -> str:
        variants = extra.pop("variants", None) or [
            {
                "VariantName": VARIANT,
                "ModelName": model,
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": instances,
            }
        ]
        request: dict[str, Any] = {"EndpointConfigName": name, "ProductionVariants": variants}
        if capture is not None:
            request["DataCaptureConfig"] = capture
        self.client("sagemaker").create_endpoint_config(**request, **extra)
        return name

    def endpoint(self, name: str, config: str, wait: bool = True) -> dict[str, Any]:
        self.client("sagemaker").create_endpoint(EndpointName=name, EndpointConfigName=config)
        return self.wait(name) if wait else self.describe(name)

    def describe(self, name: str) -> dict[str, Any]:
        return self.client("sagemaker").describe_endpoint(EndpointName=name)

    def wait(
        self, name: str, until: Callable[[dict], bool] | None = None, timeout: float = 120
    ) -> dict:
        """DescribeEndpoint once it is no longer Creating/Updating (or ``until`` holds)."""
        until = until or (lambda d: d["EndpointStatus"] not in ("Creating", "Updating"))
        deadline = time.monotonic() + timeout
        while True:
            description = self.describe(name)
            if until(description) or time.monotonic() > deadline:
                return description
            time.sleep(0.1)

    def invoke(
        self, name: str, body: bytes | str, content_type: str = "text/csv", **extra: Any
    ) -> dict:
        body = body.encode() if isinstance(body, str) else body
        return self.client("sagemaker-runtime").invoke_endpoint(
            EndpointName=name, Body=body, ContentType=content_type, **extra
        )


def eventually(check: Callable[[], Any], timeout: float = 30.0, interval: float = 0.1) -> Any:
    """``check()``'s first truthy result; fails after ``timeout`` seconds with the last one."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            assert result, f"not true after {timeout} s: {result!r}"
            return result
        time.sleep(interval)
