"""Script mode of SageMaker's framework training images (sagemaker-training-toolkit), locally.

Run by path with the image environment's Python inside the job's ``/opt/ml`` (it imports no
sagestack: sagestack is not installed there). As the toolkit does: read the hyperparameters
(each value JSON-decoded, else kept as text), split off the ``sagemaker_*`` ones, copy
``sagemaker_submit_directory`` (a ``.tar.gz`` on S3) into ``/opt/ml/code``, and run
``sagemaker_program`` there with the user's hyperparameters as sorted ``--key value`` arguments
and the ``SM_*`` variables set. A failing script leaves the toolkit's ExecuteUserScriptError
text in ``/opt/ml/output/failure`` and the job exits 1. Source: aws/sagemaker-training-toolkit
(``environment.py``, ``mapping.py``, ``process.py``, ``errors.py``).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import tarfile
import tempfile
from urllib.parse import urlparse

ML = "/opt/ml"
CONFIG = f"{ML}/input/config"
CODE = f"{ML}/code"
FAILURE = f"{ML}/output/failure"
RESERVED = {
    "sagemaker_program",
    "sagemaker_submit_directory",
    "sagemaker_enable_cloudwatch_metrics",
    "sagemaker_region",
    "sagemaker_container_log_level",
    "sagemaker_job_name",
    "default_user_module_name",
    "_tuning_objective_metric",
    "sagemaker_s3_output",
}
ERROR_LINES_KEPT = 20


def _read(name: str) -> dict:
    with open(f"{CONFIG}/{name}") as file:
        return json.load(file)


def _decode(value: str):
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def split_hyperparameters(raw: dict) -> tuple[dict, dict, dict]:
    """(reserved, framework, user): the toolkit's three kinds of hyperparameters."""
    decoded = {key: _decode(value) for key, value in raw.items()}
    reserved = {k: v for k, v in decoded.items() if k in RESERVED}
    framework = {
        k: v for k, v in decoded.items() if k.startswith("sagemaker_") and k not in RESERVED
    }
    user = {k: v for k, v in decoded.items() if k not in reserved and k not in framework}
    return reserved, framework, user


def to_cmd_args(hyperparameters: dict) -> list[str]:
    args = []
    for key in sorted(hyperparameters):
        value = hyperparameters[key]
        if isinstance(value, dict):
            value = ",".join(f"{k}={v}" for k, v in sorted(value.items()))
        args += [f"-{key}" if len(key) == 1 else f"--{key}", str(value)]
    return args


def _env_value(value) -> str:
    return (
        value
        if isinstance(value, str)
        else json.dumps(value, sort_keys=True, separators=(",", ":"))
    )


def environment(reserved: dict, framework: dict, user: dict, args: list[str]) -> dict[str, str]:
    resources, channels = _read("resourceconfig.json"), _read("inputdataconfig.json")
    program = reserved["sagemaker_program"]
    env = {
        "hosts": resources.get("hosts", ["algo-1"]),
        "network_interface_name": resources.get("network_interface_name", "eth0"),
        "hps": user,
        "user_entry_point": program,
        "framework_params": framework,
        "resource_config": resources,
        "input_data_config": channels,
        "output_data_dir": f"{ML}/output/data",
        "channels": sorted(channels),
        "current_host": resources.get("current_host", "algo-1"),
        "current_instance_type": resources.get("current_instance_type", "local"),
        "module_name": program[:-3] if program.endswith(".py") else program,
        "log_level": reserved.get("sagemaker_container_log_level", 20),
        "input_dir": f"{ML}/input",
        "input_config_dir": CONFIG,
        "output_dir": f"{ML}/output",
        "output_intermediate_dir": f"{ML}/output/intermediate",
        "num_cpus": multiprocessing.cpu_count(),
        "num_gpus": 0,
        "model_dir": f"{ML}/model",
        "module_dir": reserved.get("sagemaker_submit_directory", CODE),
        "user_args": args,
    }
    variables = {f"SM_{key.upper()}": _env_value(value) for key, value in env.items()}
    variables["SM_TRAINING_ENV"] = _env_value(env)
    for channel in channels:
        variables[f"SM_CHANNEL_{channel.upper()}"] = f"{ML}/input/data/{channel}"
    for key, value in user.items():
        variables[f"SM_HP_{key.upper()}"] = _env_value(value)
    return variables


def fetch_code(uri: str) -> None:
    os.makedirs(CODE, exist_ok=True)
    parsed = urlparse(uri)
    if parsed.scheme != "s3":
        raise ValueError(f"sagemaker_submit_directory '{uri}' is not an s3:// URI")
    import boto3

    with tempfile.TemporaryDirectory() as folder:
        archive = os.path.join(folder, "sourcedir.tar.gz")
        boto3.client("s3").download_file(parsed.netloc, parsed.path.lstrip("/"), archive)
        with tarfile.open(archive) as tar:
            tar.extractall(CODE, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))


def command(program: str, args: list[str]) -> list[str]:
    if os.path.exists(os.path.join(CODE, "setup.py")):
        return [sys.executable, "-m", program[:-3] if program.endswith(".py") else program, *args]
    if program.endswith(".py"):
        return [sys.executable, program, *args]
    return ["/bin/sh", "-c", " ".join([f"./{program}", *args])]


def run(argv: list[str], env: dict[str, str]) -> tuple[int, list[str]]:
    """Run the user's script, its stdout straight to the log, its stderr echoed and kept."""
    process = subprocess.Popen(argv, cwd=CODE, env={**os.environ, **env}, stderr=subprocess.PIPE)
    kept: list[str] = []
    assert process.stderr is not None
    for raw in iter(process.stderr.readline, b""):
        line = raw.decode("utf-8", errors="replace")
        sys.stderr.write(line)
        sys.stderr.flush()
        kept = (kept + [line.rstrip("\n")])[-ERROR_LINES_KEPT:]
    return process.wait(), kept


def error_message(lines: list[str]) -> str:
    """From the last traceback on: what the toolkit's ErrorMessage carries."""
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback")]
    return "\n".join(lines[starts[-1] :] if starts else lines).strip()


def main() -> int:
    reserved, framework, user = split_hyperparameters(_read("hyperparameters.json"))
    program = reserved.get("sagemaker_program")
    if not program:
        _fail("the sagemaker_program hyperparameter is missing: which script should run?")
        return 1
    if "sagemaker_submit_directory" in reserved:
        fetch_code(reserved["sagemaker_submit_directory"])
    args = to_cmd_args(user)
    argv = command(program, args)
    print(f"Invoking user script: {' '.join(argv)}", flush=True)
    code, stderr = run(argv, environment(reserved, framework, user, args))
    if code != 0:
        _fail(
            f'ExecuteUserScriptError:\nExitCode {code}\nErrorMessage "{error_message(stderr)}"\n'
            f'Command "{" ".join(argv)}"'
        )
        return 1
    return 0


def _fail(message: str) -> None:
    os.makedirs(os.path.dirname(FAILURE), exist_ok=True)
    with open(FAILURE, "w") as file:
        file.write(message)
    print(message, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
