"""Tiny models for endpoints on the local cloud, trained in the SageMaker images' own
environments (a model must be pickled by the libraries that serve it): what the endpoint tests
and the endpoint benchmark deploy.

``build_archives(folder)`` gives each kind's ``model.tar.gz``: ``sklearn`` (script mode, with
:data:`INFERENCE_SCRIPT`) and ``xgboost`` (the built-in algorithm's model file).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import threading
from collections.abc import Mapping
from pathlib import Path

from sagestack.localcloud.executors import images

SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"

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
    # one folder per process: the suite's workers may train into the same cache at once
    partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    # bytecode is written (as the endpoint's own servers write it): later imports are fast
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [str(python), "-c", script], cwd=partial, env=environment, check=True, capture_output=True
    )
    try:
        partial.replace(folder)  # complete or absent: an interrupted training is redone
    except OSError:
        if not folder.is_dir():
            raise
        shutil.rmtree(partial)  # another worker finished the same model first


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


# The trust policy an execution role needs for SageMaker to assume it.
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

SCRIPT_ENVIRONMENT = {
    "SAGEMAKER_PROGRAM": "inference.py",
    "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
}
