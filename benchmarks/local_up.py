"""How fast ``sagestack local up`` answers health, and how much memory it holds, against moto.

Baseline: moto's own server (``python -m moto.server``, no add-ons), started the same way in the
same command. Each is launched as a fresh process on a free port; the clock runs from launch to
the first 200 from its health path. Resident memory (RSS) is read after start, and again after
one call to each add-on service (backends are created on first use). Bytecode is cached in a
temporary folder (this environment sets PYTHONDONTWRITEBYTECODE, which would time the compiler)
and each contender runs once untimed first, so both are measured warm.

    python -m benchmarks.local_up [--runs N]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

PYTHON = sys.executable
URL_PATTERN = re.compile(r"http://127\.0\.0\.1:\d+")
START_TIMEOUT = 120.0


@dataclass
class Run:
    seconds_to_health: float
    rss_after_start_mb: float
    rss_after_use_mb: float


@dataclass(frozen=True)
class Contender:
    name: str
    command: list[str]
    health_path: str
    url_stream: str  # which of the process's streams names its URL


SAGESTACK = Contender(
    "sagestack local up",
    [str(Path(PYTHON).with_name("sagestack")), "local", "up", "--port", "0"],
    "/_localstack/health",
    "stdout",
)
MOTO = Contender(
    "moto server (baseline)",
    [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
    "/moto-api/",
    "stderr",
)


def _wait_for_url(process: subprocess.Popen, stream_name: str) -> str:
    stream = getattr(process, stream_name)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line and process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        match = URL_PATTERN.search(line)
        if match:
            return match.group(0)
    raise TimeoutError(f"{process.args} named no URL in {START_TIMEOUT}s")


def _wait_for_health(url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"{url} did not answer in {START_TIMEOUT}s")


def _rss_mb(pid: int) -> float:
    process = psutil.Process(pid)
    processes = [process, *process.children(recursive=True)]
    return sum(p.memory_info().rss for p in processes) / 2**20


def _use_every_addon(url: str) -> None:
    """One call per service the add-ons serve or extend, so their backends exist."""
    import boto3
    from botocore.exceptions import ClientError

    def client(name: str):
        return boto3.client(
            name,
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    calls: list[Callable[[], object]] = [
        lambda: client("s3").list_buckets(),
        lambda: client("sagemaker").list_monitoring_schedules(),
        lambda: client("sagemaker-featurestore-runtime").batch_get_record(
            Identifiers=[{"FeatureGroupName": "none", "RecordIdentifiersValueAsString": ["x"]}]
        ),
        lambda: client("codeconnections").list_connections(),
        lambda: client("codestar-connections").list_connections(),
        lambda: client("codebuild").list_projects(),
        lambda: client("events").list_rules(),
        lambda: client("sns").list_topics(),
        lambda: client("cloudwatch").describe_alarms(),
    ]
    for call in calls:
        with contextlib.suppress(ClientError):  # the baseline lacks the add-ons
            call()


def measure(contender: Contender, bytecode_dir: str) -> Run:
    environment = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "PYTHONPYCACHEPREFIX": bytecode_dir,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        contender.command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        url = _wait_for_url(process, contender.url_stream)
        _wait_for_health(url + contender.health_path)
        seconds = time.perf_counter() - started
        after_start = _rss_mb(process.pid)
        os.environ.update(
            {k: environment[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
        )
        _use_every_addon(url)
        return Run(seconds, after_start, _rss_mb(process.pid))
    finally:
        process.terminate()
        process.wait(timeout=30)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as bytecode_dir:
        for contender in (MOTO, SAGESTACK):
            measure(contender, bytecode_dir)  # warm-up: fills the bytecode cache
        results = {
            c.name: [measure(c, bytecode_dir) for _ in range(args.runs)] for c in (MOTO, SAGESTACK)
        }
    medians = {
        name: {
            field: statistics.median(getattr(run, field) for run in runs)
            for field in Run.__dataclass_fields__
        }
        for name, runs in results.items()
    }
    baseline = medians[MOTO.name]
    print(f"median of {args.runs} runs; ratio against {MOTO.name}")
    print(f"{'':26}{'to health (s)':>16}{'RSS start (MB)':>17}{'RSS used (MB)':>16}")
    for name, median in medians.items():
        cells = [
            f"{median[field]:7.2f} x{median[field] / baseline[field]:5.2f}"
            for field in ("seconds_to_health", "rss_after_start_mb", "rss_after_use_mb")
        ]
        print(f"{name:26}" + "".join(f"{cell:>16}" for cell in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
