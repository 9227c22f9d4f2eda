"""``sagestack demo``: a local cloud on a free port, the stack deployed into it, what was made
printed, the loop run on it (:func:`sagestack.scenarios.loop.show_loop`), and everything stopped
again."""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

from rich.console import Console

from sagestack.clients import AwsClients
from sagestack.deploy.deployment import DeployResult, deploy, stack_config
from sagestack.deploy.inventory import parameter_table, service_tables
from sagestack.deploy.progress import Progress
from sagestack.scenarios.loop import show_loop


def run_demo(
    stack: str, directory: Path = Path("."), console: Console | None = None
) -> DeployResult:
    from sagestack.localcloud import LocalCloud

    console = console or Console()
    config = stack_config(stack, directory)
    # one line per request would bury the deploy's own progress
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    started = time.monotonic()
    with LocalCloud(port=0) as cloud, tempfile.TemporaryDirectory() as state_dir:
        console.print(f"local cloud at {cloud.url}; deploying stack {stack}", style="bold")
        result = deploy(
            stack, config, endpoint=cloud.url, state_dir=Path(state_dir), progress=Progress()
        )
        for table in service_tables(result.resources):
            console.print(table)
        reader = AwsClients(cloud.url, region=config.get("aws:region"))
        for project in _project_names(config):
            console.print(parameter_table(reader, stack, project))
        result.progress.print_summary(stack, console)
        show_loop(cloud.url, stack, config, console)
    console.print(f"done in {time.monotonic() - started:.1f}s; the local cloud is stopped")
    return result


def _project_names(config: dict) -> list[str]:
    return [project["name"] for project in config.get("projects") or []]
