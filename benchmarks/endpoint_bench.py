"""What the local endpoint path costs: InvokeEndpoint through the local cloud against calling the
endpoint's own model server directly, and how long an endpoint takes to come into service.

Baseline: the same model server, the same request body, the same HTTP/1.1 keep-alive client
pattern, but straight to its port (``POST /invocations``), in the same command. The contender is
boto3's ``invoke_endpoint`` through the runtime API (SigV4 signing, the local cloud's dispatcher,
routing, metrics and data capture). Requests are sent one after another from one thread, then
from four at once; latency is per request, throughput the requests answered per second.
Endpoint creation is CreateEndpoint until DescribeEndpoint says InService.

    python -m benchmarks.endpoint_bench [--requests N] [--creations N]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3

from sagestack.localcloud.executors.endpoints import registry
from sagestack.localcloud.server import LocalCloud
from sagestack.localcloud.testing.models import (
    SAGEMAKER_TRUST,
    SCRIPT_ENVIRONMENT,
    SKLEARN_IMAGE,
    build_archives,
)

BUCKET = "endpoint-bench"
BODY = b"1,2\n"
CAPTURE = {
    "EnableCapture": True,
    "InitialSamplingPercentage": 100,
    "DestinationS3Uri": f"s3://{BUCKET}/capture",
    "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
    "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
}


# what the endpoint does as its role: read the model, write capture files and logs
ROLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": [f"arn:aws:s3:::{BUCKET}/*"],
        },
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": ["arn:aws:logs:*:*:log-group:/aws/sagemaker/*"],
        },
    ],
}


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _timed(call: Callable[[], None], count: int, threads: int) -> tuple[list[float], float]:
    """Per-request latencies (seconds) and requests per second."""
    latencies: list[float] = []

    def one(_index: int) -> None:
        started = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(count)))
    return latencies, count / (time.perf_counter() - started)


def _direct_caller(port: int) -> Callable[[], None]:
    import threading

    local = threading.local()

    def call() -> None:
        if not hasattr(local, "connection"):
            local.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        local.connection.request(
            "POST", "/invocations", body=BODY, headers={"Content-Type": "text/csv"}
        )
        response = local.connection.getresponse()
        response.read()
        assert response.status == 200, response.status

    return call


def _runtime_caller() -> Callable[[], None]:
    runtime = boto3.client("sagemaker-runtime", region_name="us-east-1")

    def call() -> None:
        runtime.invoke_endpoint(EndpointName="bench", Body=BODY, ContentType="text/csv")[
            "Body"
        ].read()

    return call


def _setup(archives: dict[str, bytes]) -> str:
    s3, iam, sagemaker = (
        boto3.client(s, region_name="us-east-1") for s in ("s3", "iam", "sagemaker")
    )
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="model.tar.gz", Body=archives["sklearn"])
    role = iam.create_role(RoleName="bench", AssumeRolePolicyDocument=json.dumps(SAGEMAKER_TRUST))[
        "Role"
    ]["Arn"]
    iam.put_role_policy(
        RoleName="bench", PolicyName="bench", PolicyDocument=json.dumps(ROLE_POLICY)
    )
    sagemaker.create_model(
        ModelName="bench",
        ExecutionRoleArn=role,
        PrimaryContainer={
            "Image": SKLEARN_IMAGE,
            "ModelDataUrl": f"s3://{BUCKET}/model.tar.gz",
            "Environment": SCRIPT_ENVIRONMENT,
        },
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName="bench",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "bench",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
        DataCaptureConfig=CAPTURE,
    )
    return "bench"


def _create(name: str) -> float:
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    started = time.perf_counter()
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName="bench")
    while (described := sagemaker.describe_endpoint(EndpointName=name))[
        "EndpointStatus"
    ] == "Creating":
        time.sleep(0.05)
    if described["EndpointStatus"] != "InService":
        raise RuntimeError(f"endpoint {name} failed: {described.get('FailureReason')}")
    return time.perf_counter() - started


def _report(
    label: str, direct: tuple[list[float], float], runtime: tuple[list[float], float]
) -> None:
    print(f"\n{label}")
    print(f"  {'path':<32}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for name, (latencies, rate) in (
        ("model server, direct (baseline)", direct),
        ("InvokeEndpoint, local cloud", runtime),
    ):
        p50, p99 = (_percentile(latencies, q) * 1e3 for q in (0.5, 0.99))
        print(f"  {name:<32}{rate:>9.0f}{p50:>9.2f}{p99:>9.2f}")
    overhead = [_percentile(runtime[0], q) - _percentile(direct[0], q) for q in (0.5, 0.99)]
    print(
        f"  overhead of the local endpoint path: p50 {overhead[0] * 1e3:.2f} ms, p99 "
        f"{overhead[1] * 1e3:.2f} ms; throughput x{runtime[1] / direct[1]:.2f} of direct"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--creations", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.update(
        AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1"
    )
    archives = build_archives(Path(tempfile.mkdtemp(prefix="endpoint-bench-models-")))
    with LocalCloud(port=0) as cloud:
        os.environ["AWS_ENDPOINT_URL"] = cloud.url
        _setup(archives)
        creations = [_create(f"bench-{i}") for i in range(args.creations)]
        _create("bench")
        instance = (
            registry.get("123456789012", "us-east-1", "bench")
            .blue.variants["AllTraffic"]
            .instances[0]
        )
        direct, runtime = _direct_caller(instance.port), _runtime_caller()
        for call in (direct, runtime):  # warm both paths
            _timed(call, 20, 1)
        print(
            f"endpoint creation (CreateEndpoint -> InService), {args.creations} runs: median "
            f"{statistics.median(creations):.2f} s, min {min(creations):.2f} s, "
            f"max {max(creations):.2f} s"
        )
        for threads in (1, 4):
            _report(
                f"{args.requests} requests, {threads} thread(s)",
                _timed(direct, args.requests, threads),
                _timed(runtime, args.requests, threads),
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
