"""The ``sagestack`` command line: one root group, commands grouped by noun, each thin.

Known failures (a :class:`~sagestack.errors.SagestackError`, or any exception type a command
adds to :data:`KNOWN_ERRORS`) print their message, which says what to do; anything else
prints a one-line summary. The traceback only shows with ``--debug``. Heavy imports happen inside
the commands so ``sagestack --help`` stays fast.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

from sagestack import contract
from sagestack.errors import SagestackError

KNOWN_ERRORS: tuple[type[Exception], ...] = (SagestackError,)


class SagestackGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(_summary(error)) from error


def _summary(error: Exception) -> str:
    if isinstance(error, KNOWN_ERRORS):
        return str(error)
    return f"unexpected {type(error).__name__}: {error} (run again with --debug for the traceback)"


@click.group(cls=SagestackGroup)
@click.option("--debug", is_flag=True, help="Show the full traceback of any failure.")
def main(debug: bool) -> None:
    """MLOps on AWS as infrastructure-as-code, and a local cloud to run it on a laptop."""


@main.group()
def local() -> None:
    """The local cloud: an AWS endpoint on loopback (moto plus sagestack's add-ons)."""


@local.command("up")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=4566,
    show_default=True,
    help="Port on 127.0.0.1; 0 picks a free one.",
)
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, dir_okay=True, writable=True, path_type=Path),
    help="Keep state in this folder: every acknowledged change survives a restart or a crash.",
)
@click.option(
    "--fsync",
    is_flag=True,
    help="With --state-dir: each change reaches the disk before its answer (survives a power "
    "cut, at some speed); without, it reaches the OS (survives any crash of this process).",
)
@click.option("--region", default="us-east-1", show_default=True, help="Region to export.")
@click.option(
    "--allow-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Also answer requests whose Host is NAME (loopback names always are); repeatable.",
)
@click.option(
    "--allow-origin",
    "allowed_origins",
    multiple=True,
    metavar="ORIGIN",
    help="Also serve web pages from ORIGIN, e.g. http://devbox:3000 (loopback always); repeatable.",
)
def local_up(
    port: int,
    state_dir: Path | None,
    region: str,
    allowed_hosts: tuple[str, ...],
    allowed_origins: tuple[str, ...],
    fsync: bool,
) -> None:
    """Start the local cloud and serve until interrupted (Ctrl+C)."""
    from sagestack.localcloud.server import LocalCloud

    cloud = LocalCloud(
        port=port,
        state_dir=state_dir,
        allowed_hosts=allowed_hosts,
        allowed_origins=allowed_origins,
        fsync=fsync,
    ).start()
    try:
        if cloud.recovery is not None:
            click.echo(f"state in {state_dir}: {cloud.recovery.summary()}", err=True)
        click.echo(f"sagestack local cloud ready at {cloud.url} (Ctrl+C to stop)", err=True)
        for name, value in _environment(cloud.url, region).items():
            click.echo(f"export {name}={value}")
        sys.stdout.flush()  # a script reading our stdout needs the lines while we serve
        wait_for_interrupt()
    finally:
        cloud.stop()
        click.echo("sagestack local cloud stopped" + _saved_note(state_dir), err=True)


def _environment(url: str, region: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": url,
        "AWS_DEFAULT_REGION": region,
        "AWS_ACCESS_KEY_ID": contract.LOCAL_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": contract.LOCAL_SECRET_ACCESS_KEY,
    }


def _saved_note(state_dir: Path | None) -> str:
    return f"; state saved in {state_dir}" if state_dir else ""


def wait_for_interrupt() -> None:
    """Block until Ctrl+C or SIGTERM."""
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        while not stopped.wait(timeout=1.0):
            pass
    except KeyboardInterrupt:
        pass


@local.group("images")
def local_images() -> None:
    """The environments SageMaker's framework images run in, one cached per image."""


@local_images.command("list")
def images_list() -> None:
    """Each image the local cloud runs, whether it is installed, and how it differs locally."""
    from sagestack.localcloud.executors import images

    for spec in images.CATALOG:
        state = "installed" if images.is_installed(spec) else "not installed"
        click.echo(f"{spec.name}\t{state}")
        for difference in spec.differences():
            click.echo(f"  {difference}")


@local_images.command("install")
@click.argument("names", nargs=-1)
@click.option("--offline", is_flag=True, help="Install from uv's cache only; never download.")
def images_install(names: tuple[str, ...], offline: bool) -> None:
    """Install the environments of NAMES (e.g. sklearn-1.2-1; all when none is given)."""
    from sagestack.localcloud.executors import images

    known = {spec.name: spec for spec in images.CATALOG}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise click.BadParameter(
            f"{', '.join(unknown)} is not an image the local cloud runs; expected one of "
            + ", ".join(known),
            param_hint="NAMES",
        )
    for name in names or tuple(known):
        started = time.monotonic()
        folder = images.install(known[name], offline=offline)
        click.echo(f"{name}: {folder} ({time.monotonic() - started:.1f}s)", err=True)


@local.group("repo")
def local_repo() -> None:
    """Git repositories served by the local cloud; a push delivers GitHub's signed webhooks."""


_ENDPOINT_OPTION = click.option(
    "--endpoint",
    help="The local cloud's URL [default: $AWS_ENDPOINT_URL, else http://localhost:4566].",
)


@local_repo.command("create")
@click.argument("name")
@click.option("--url", required=True, help="The repository URL CodeBuild projects name as source.")
@_ENDPOINT_OPTION
def repo_create(name: str, url: str, endpoint: str | None) -> None:
    """Create repository NAME standing in for URL; prints its remote (for `git remote add`)."""
    from sagestack.clients import endpoint_from_environment, local_repos_request

    created = local_repos_request(
        endpoint_from_environment(endpoint), "", {"name": name, "url": url}
    )
    click.echo(created["remote"])


@local_repo.command("pr")
@click.argument("name")
@click.option("--head", required=True, help="The branch with the changes.")
@click.option("--base", default="main", show_default=True, help="The branch to merge into.")
@click.option(
    "--action",
    type=click.Choice(["opened", "synchronize", "reopened", "closed"]),
    default="opened",
    show_default=True,
    help="What happened to the pull request (GitHub's action).",
)
@click.option("--number", type=int, help="The pull request (default: the latest from HEAD).")
@click.option("--merged", is_flag=True, help="With --action closed: it was merged.")
@click.option("--title", help="The pull request's title.")
@_ENDPOINT_OPTION
def repo_pr(
    name: str,
    head: str,
    base: str,
    action: str,
    number: int | None,
    merged: bool,
    title: str | None,
    endpoint: str | None,
) -> None:
    """Deliver a pull request event of repository NAME (HEAD into BASE) to its webhooks."""
    from sagestack.clients import endpoint_from_environment, local_repos_request

    body = {
        "head": head,
        "base": base,
        "action": action,
        "number": number,
        "merged": merged,
        "title": title,
    }
    answer = local_repos_request(endpoint_from_environment(endpoint), f"/{name}/pulls", body)
    click.echo(f"pull request #{answer['number']}")
    for message in answer.get("messages", []):
        click.echo(message, err=True)


@local.command("deploy")
@click.option(
    "--stack", default="local", show_default=True, help="Deploy Pulumi.<stack>.yaml (in the cwd)."
)
@click.option(
    "--endpoint",
    help="The local cloud's URL [default: $AWS_ENDPOINT_URL, else http://localhost:4566].",
)
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, dir_okay=True, writable=True, path_type=Path),
    default=Path(".sagestack"),
    show_default=True,
    help="Where the deploy records what it made (deploy-<stack>.json), for the next deploy.",
)
def local_deploy(stack: str, endpoint: str | None, state_dir: Path) -> None:
    """Deploy a stack's platform into the local cloud (no Pulumi CLI needed).

    Prints one line per resource to stderr and a summary; running it again changes only what
    changed, and deletes what the config no longer asks for.
    """
    from sagestack.clients import endpoint_from_environment
    from sagestack.deploy import deploy, stack_config

    result = deploy(
        stack,
        stack_config(stack),
        endpoint=endpoint_from_environment(endpoint),
        state_dir=state_dir,
    )
    result.progress.print_summary(stack)


@main.command("demo")
@click.option("--stack", default="dev", show_default=True, help="Deploy Pulumi.<stack>.yaml.")
@click.option(
    "--report",
    "json_report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the stages and their times as JSON to this file.",
)
@click.option(
    "--html",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-report"),
    show_default=True,
    help="Folder of the HTML report.",
)
@click.option("--keep", is_flag=True, help="Leave the local cloud running until Ctrl-C.")
def demo(stack: str, json_report: Path | None, html: Path, keep: bool) -> None:
    """The whole loop on a local cloud: deploy the platform, generate and push a project, build,
    train, approve, deploy, serve, page on drift, retrain. Exits 1 if a stage fails."""
    from sagestack.demo import DemoOptions, run_demo

    report = run_demo(DemoOptions(stack=stack, html=html, json_report=json_report, keep=keep))
    if not report.ok:
        raise SystemExit(1)
