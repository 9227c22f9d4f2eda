"""``sagestack demo``: the whole loop on a local cloud, start to end, each stage timed.

A local cloud on a free loopback port; the stack's platform deployed into it by the applier; then
the loop of :mod:`sagestack.scenarios.loop` for the stack's first project watched by the
sagestack drift monitor. At the end: the stages' table, the HTML report, and (``--report``) the
JSON one; every process the demo started is stopped unless ``keep``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import signal
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rich.console import Console

from sagestack.demo.report import DemoReport
from sagestack.demo.stages import FAILED, StageRunner
from sagestack.deploy.deployment import deploy, stack_config
from sagestack.deploy.progress import Progress
from sagestack.errors import SagestackError
from sagestack.scenarios.loop import STAGES, Loop, loop_project

LOOP_STAGES = ("build", "training", "deploy", "quiet hour", "drift page", "retraining")


@dataclass(frozen=True)
class DemoOptions:
    stack: str = "dev"
    checkout: Path = Path(".")  # the sagestack checkout: the stack's config and the template
    html: Path = Path("demo-report")  # folder of the HTML report
    json_report: Path | None = None
    keep: bool = False


def run_demo(options: DemoOptions, console: Console | None = None) -> DemoReport:
    """Run the demo; the report says whether every stage passed."""
    from sagestack.localcloud import LocalCloud, SnsReceiver, frozen_clock

    console = console or Console()
    config = stack_config(options.stack, options.checkout)
    entry = loop_project(config)
    if entry is None:
        raise SagestackError(
            f"stack '{options.stack}' has no project watched by the sagestack drift monitor "
            "(drift.monitor: sagestack): the loop needs one"
        )
    # one line per request would bury the stages' progress
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # builds install the project from uv's cache, which make fills: the loop never downloads
    os.environ.setdefault("UV_OFFLINE", "1")
    runner = StageRunner(console)
    with contextlib.ExitStack() as stack:
        cloud = stack.enter_context(LocalCloud(port=0))
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sagestack-demo-")))
        console.print(f"local cloud at {cloud.url}; stack {options.stack}", style="bold")
        runner.run("platform", partial(_deploy, options.stack, config, cloud.url, workdir))
        stack.enter_context(frozen_clock())
        loop = Loop(
            endpoint=cloud.url,
            stack=options.stack,
            entry=entry,
            checkout=options.checkout.resolve(),
            workdir=workdir,
            receiver=stack.enter_context(SnsReceiver()),
            region=config.get("aws:region") or "us-east-1",
        )
        for name, stage in STAGES:
            runner.run(name, partial(stage, loop))
        report = DemoReport(runner.results, runner.seconds(LOOP_STAGES), loop.evidence)
        _finish(report, runner, options, console)
        if options.keep:
            _keep_running(cloud.url, loop, console)
    return report


def _deploy(stack: str, config: dict, endpoint: str, workdir: Path) -> str:
    result = deploy(
        stack,
        config,
        endpoint=endpoint,
        state_dir=workdir / "platform-state",
        progress=Progress(io.StringIO()),
    )
    return f"{len(result.resources)} resources of stack {stack} deployed by the applier"


def _finish(
    report: DemoReport, runner: StageRunner, options: DemoOptions, console: Console
) -> None:
    console.print(runner.summary_table())
    console.print(f"the loop (stages build to retraining): {report.loop_seconds:.1f} s")
    page = report.write_html(options.html)
    console.print(f"HTML report: {page.resolve()}")
    if options.json_report is not None:
        report.write_json(options.json_report)
        console.print(f"JSON report: {options.json_report.resolve()}")
    failed = [stage for stage in report.stages if stage.status == FAILED]
    for stage in failed:
        console.print(f"[bold red]stage {stage.name} failed[/]: {stage.summary}")
        if stage.log:
            console.print(f"its log: {stage.log}", markup=False)


def _keep_running(endpoint: str, loop: Loop, console: Console) -> None:
    console.print(
        "\nThe local cloud keeps running with everything in place. Look around from another "
        "terminal:\n"
        f"  export AWS_ENDPOINT_URL={endpoint} AWS_ACCESS_KEY_ID=test "
        "AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1\n"
        "  aws sagemaker list-endpoints\n"
        "  aws sagemaker list-model-packages --model-package-group-name "
        f"{loop.project.model_package_group if loop.project else '<group>'}\n"
        "  python -c \"import boto3; print(boto3.client('codebuild').list_builds())\"\n"
        f"The generated project is in {loop.folder}. Press Ctrl-C to stop everything.",
        markup=False,
    )
    with contextlib.suppress(KeyboardInterrupt):
        signal.pause()
