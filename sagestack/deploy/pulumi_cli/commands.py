"""The command line: Pulumi's commands and flags a deploy build uses, each a few lines over
:mod:`.workspace`, :mod:`.backends` and :mod:`.operations`; failures print ``error: ...`` and
exit with the Pulumi CLI's code for them."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import socket
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from sagestack.deploy.errors import DeployError, PolicyViolationsError, ResourceFailedError
from sagestack.deploy.pulumi_cli import display
from sagestack.deploy.pulumi_cli.backends import open_backend
from sagestack.deploy.pulumi_cli.exit_codes import (
    CONFIG,
    GENERIC,
    POLICY,
    RESOURCE,
    STACK_NOT_FOUND,
    SUCCESS,
    CliError,
)
from sagestack.deploy.pulumi_cli.workspace import Project, current_backend_url, login

VERSION = "v3.200.0 (sagestack local: the applier over the local cloud)"
POLICY_PROJECT_FILE = "PulumiPolicy.yaml"
NOT_CONFIRMED = (
    "--yes or --skip-preview must be passed in to proceed when running in non-interactive mode"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pulumi", description=__doc__.splitlines()[0])
    parser.add_argument("-C", "--cwd", type=Path, default=None)
    for flag in ("--non-interactive", "--emoji", "--logtostderr"):
        parser.add_argument(flag, action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--color", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True)

    log_in = commands.add_parser("login")
    log_in.add_argument("url", nargs="?")
    log_in.add_argument("-l", "--local", action="store_true")
    commands.add_parser("whoami")
    commands.add_parser("version")

    stack = commands.add_parser("stack").add_subparsers(dest="stack_command", required=True)
    select = stack.add_parser("select")
    select.add_argument("name")
    select.add_argument("-c", "--create", action="store_true")
    select.add_argument("--secrets-provider")
    init = stack.add_parser("init")
    init.add_argument("name")
    init.add_argument("--secrets-provider")
    output = stack.add_parser("output")
    output.add_argument("name", nargs="?")
    output.add_argument("--json", action="store_true", dest="as_json")
    output.add_argument("--show-secrets", action="store_true")
    output.add_argument("-s", "--stack")

    config = commands.add_parser("config").add_subparsers(dest="config_command", required=True)
    set_ = config.add_parser("set")
    set_.add_argument("key")
    set_.add_argument("value")
    set_.add_argument("--secret", action="store_true")
    set_.add_argument("--plaintext", action="store_true")
    set_.add_argument("--path", action="store_true")
    set_.add_argument("-s", "--stack")
    get = config.add_parser("get")
    get.add_argument("key")
    get.add_argument("-s", "--stack")

    for name in ("preview", "up", "destroy"):
        operation = commands.add_parser(name)
        operation.add_argument("-s", "--stack")
        operation.add_argument("-y", "--yes", action="store_true")
        operation.add_argument("-f", "--skip-preview", action="store_true")
        operation.add_argument("--policy-pack", action="append", default=[])
        operation.add_argument("--diff", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # a usage error exits 2, as the CLI does
    try:
        if args.cwd is not None:
            os.chdir(args.cwd)
        return _dispatch(args)
    except CliError as error:
        return _fail(str(error), error.code)
    except PolicyViolationsError as error:
        return _fail(str(error), POLICY)
    except ResourceFailedError as error:
        return _fail(str(error), RESOURCE)
    except DeployError as error:
        return _fail(str(error), GENERIC)
    except Exception:  # noqa: BLE001 - the program raised: the CLI shows its traceback
        traceback.print_exc()
        return _fail("an unhandled error occurred: the program raised (traceback above)", GENERIC)


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr, flush=True)
    return code


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "version":
        print(VERSION)
        return SUCCESS
    if args.command == "whoami":
        print(getpass.getuser())
        return SUCCESS
    if args.command == "login":
        return _login(args)
    project = Project.find(Path.cwd())
    if args.command == "stack":
        return _stack(args, project)
    if args.command == "config":
        return _config(args, project)
    from sagestack.deploy.pulumi_cli import operations  # loads Pulumi and the applier

    for folder in args.policy_pack:
        _check_policy_pack(folder)
    session = _session(project, args.stack)
    if args.command == "preview":
        return operations.preview(session)
    if not (args.yes or args.skip_preview or os.environ.get("PULUMI_SKIP_CONFIRMATIONS") == "true"):
        raise CliError(NOT_CONFIRMED, CONFIG)
    return operations.up(session) if args.command == "up" else operations.destroy(session)


def _check_policy_pack(folder: str) -> None:
    """A pack the CLI would load must be a pack folder; its policies then run in-process as the
    platform's own (sagestack_infra.policy), the pack this command can evaluate."""
    if not (Path(folder) / POLICY_PROJECT_FILE).is_file():
        raise CliError(
            f"policy pack '{folder}' is invalid: no {POLICY_PROJECT_FILE} in it", CONFIG
        )
    print(f"Policy pack {folder}: the platform's policies run in-process (sagestack_infra.policy)")


def _login(args: argparse.Namespace) -> int:
    url = "file://~" if args.local else args.url
    if not url:
        raise CliError("the local pulumi command logs in to s3:// or file:// URLs only", CONFIG)
    open_backend(url)  # refuses what it cannot keep state in
    login(url)
    print(f"Logged in to {socket.gethostname()} as {getpass.getuser()} ({url})")
    return SUCCESS


def _session(project: Project, explicit_stack: str | None):
    from sagestack.deploy.pulumi_cli import operations

    stack = project.selected(explicit_stack)
    backend = open_backend(current_backend_url())
    if not backend.exists(project.name, stack):
        raise CliError(f"no stack named '{stack}' found", STACK_NOT_FOUND)
    return operations.Session(project, stack, backend)


def _stack(args: argparse.Namespace, project: Project) -> int:
    if args.stack_command == "output":
        return _stack_output(args, project)
    backend = open_backend(current_backend_url())
    create = args.stack_command == "init" or args.create
    if not backend.exists(project.name, args.name):
        if not create:
            raise CliError(f"no stack named '{args.name}' found", STACK_NOT_FOUND)
        backend.create(project.name, args.name)
        if args.secrets_provider:
            document = project.read_stack_file(args.name)
            document["secretsprovider"] = args.secrets_provider
            project.write_stack_file(args.name, document)
        print(f"Created stack '{args.name}'")
    elif args.stack_command == "init":
        raise CliError(f"stack '{args.name}' already exists", CONFIG)
    project.select(args.name)
    return SUCCESS


def _stack_output(args: argparse.Namespace, project: Project) -> int:
    from sagestack.deploy.pulumi_cli import operations

    outputs = operations.stack_outputs(_session(project, args.stack))
    if args.name is None:
        print(json.dumps(outputs, indent=2) if args.as_json else display.outputs_table(outputs))
        return SUCCESS
    if args.name not in outputs:
        raise CliError(f"current stack does not have output property '{args.name}'")
    value = outputs[args.name]
    print(json.dumps(value, indent=2) if args.as_json else display.output_value(value))
    return SUCCESS


def _config(args: argparse.Namespace, project: Project) -> int:
    stack = project.selected(args.stack)
    document = project.read_stack_file(stack)
    values = document.setdefault("config", {}) or {}
    key = project.qualified(args.key)
    if args.config_command == "get":
        if key not in values:
            raise CliError(f"configuration key '{key}' not found for stack '{stack}'")
        print(display.output_value(values[key]))
        return SUCCESS
    if args.secret or args.path:
        flag = "--secret" if args.secret else "--path"
        raise CliError(
            f"config set {flag} is not supported by the local pulumi command (it keeps no "
            "secrets and sets top-level keys only)",
            CONFIG,
        )
    values[key] = args.value
    document["config"] = values
    project.write_stack_file(stack, document)
    return SUCCESS
