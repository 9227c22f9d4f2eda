"""How long ``sagestack local deploy`` of the dev stack takes, and a no-change re-deploy.

Baseline: the same program run on Pulumi's plain mocks (``program_runner.run_program`` with its
default mocks: no AWS call), measured in the same command, so the ratios show what creating each
resource in the local cloud costs on top of the Pulumi runtime. Everything runs in-process
against a local cloud on a free port; each run starts from a reset cloud and an empty state
folder. The first run (imports of pulumi_aws and the program) is reported on its own.

    python -m benchmarks.local_deploy [--runs N] [--stack dev]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

import boto3


def _timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _reset(url: str) -> None:
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def _counting_session() -> tuple[boto3.Session, Counter]:
    session = boto3.Session(
        region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    calls: Counter = Counter()
    session.events.register("before-call", lambda model, **_: calls.update([model.name]))
    return session, calls


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.local_deploy")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stack", default="dev")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from sagestack.deploy import deploy, stack_config
    from sagestack.deploy.progress import Progress
    from sagestack.localcloud.server import LocalCloud
    from sagestack_infra.program_runner import run_program

    config = stack_config(args.stack)
    first_program, _ = _timed(lambda: run_program(args.stack, config))
    print(f"first program run (imports included): {first_program:.2f}s")
    program_times, deploy_times, redeploy_times = [], [], []
    calls: Counter = Counter()
    # progress lines are not the measurement
    with open(os.devnull, "w") as quiet, LocalCloud(port=0) as cloud:
        for _ in range(args.runs):
            _reset(cloud.url)
            program_times.append(_timed(lambda: run_program(args.stack, config))[0])
            with tempfile.TemporaryDirectory() as state_dir:
                session, calls = _counting_session()

                def run(session=session, state_dir=state_dir):
                    return deploy(
                        args.stack,
                        config,
                        endpoint=cloud.url,
                        state_dir=Path(state_dir),
                        session=session,
                        progress=Progress(quiet),
                    )

                seconds, result = _timed(run)
                deploy_times.append(seconds)
                created = sum(result.progress.counts.values())
                redeploy_times.append(_timed(run)[0])
    program = statistics.median(program_times)
    full = statistics.median(deploy_times)
    again = statistics.median(redeploy_times)
    print(f"stack {args.stack}: {created} resources, {args.runs} runs, medians")
    print(f"  program on plain mocks (baseline): {program:.2f}s")
    print(f"  deploy into a fresh local cloud:   {full:.2f}s  ({full / program:.1f}x baseline)")
    print(f"  re-deploy with no change:          {again:.2f}s  ({again / program:.1f}x baseline)")
    print(f"  AWS calls of the last deploy and re-deploy: {sum(calls.values())}")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
