"""The Pulumi project in a folder, its stack config files, the selected stack, the backend logged
in: kept where the Pulumi CLI keeps them (``Pulumi.yaml``, ``Pulumi.<stack>.yaml``, and
``$PULUMI_HOME``, by default ``~/.pulumi``)."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sagestack.deploy.pulumi_cli.exit_codes import AUTH, CONFIG, STACK_NOT_FOUND, CliError

BACKEND_URL_VARIABLE = "PULUMI_BACKEND_URL"


def pulumi_home() -> Path:
    return Path(os.environ.get("PULUMI_HOME") or Path.home() / ".pulumi")


@dataclass(frozen=True)
class Project:
    folder: Path
    name: str
    main: Path  # the program: a folder holding __main__.py, or a .py file

    @classmethod
    def find(cls, start: Path) -> Project:
        """The ``Pulumi.yaml`` in ``start`` or the nearest folder above it."""
        for folder in (start, *start.parents):
            path = folder / "Pulumi.yaml"
            if path.exists():
                document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                if not document.get("name"):
                    raise CliError(f"{path} has no project name", CONFIG)
                return cls(folder, document["name"], folder / document.get("main", "."))
        raise CliError(
            f"no Pulumi.yaml project file found (searching upwards from {start})", CONFIG
        )

    @property
    def program_file(self) -> Path:
        return self.main if self.main.suffix == ".py" else self.main / "__main__.py"

    def qualified(self, key: str) -> str:
        """``modelPackageArn`` -> ``<project>:modelPackageArn``; ``aws:region`` stays."""
        return key if ":" in key else f"{self.name}:{key}"

    def stack_file(self, stack: str) -> Path:
        return self.folder / f"Pulumi.{stack}.yaml"

    def read_stack_file(self, stack: str) -> dict[str, Any]:
        path = self.stack_file(stack)
        if not path.exists():
            return {}
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}

    def write_stack_file(self, stack: str, document: dict[str, Any]) -> None:
        text = yaml.safe_dump(document, sort_keys=False, default_flow_style=False)
        self.stack_file(stack).write_text(text, encoding="utf-8")

    # --- the selected stack, kept per project folder as the CLI does ---

    def _workspace_file(self) -> Path:
        digest = hashlib.sha1(str(self.folder.resolve()).encode()).hexdigest()
        return pulumi_home() / "workspaces" / f"{self.name}-{digest}-workspace.json"

    def select(self, stack: str) -> None:
        path = self._workspace_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"stack": stack}), encoding="utf-8")

    def selected(self, explicit: str | None) -> str:
        if explicit:
            return explicit
        path = self._workspace_file()
        stack = json.loads(path.read_text(encoding="utf-8")).get("stack") if path.exists() else None
        if not stack:
            raise CliError(
                "no stack selected; please use `pulumi stack select` to choose one", STACK_NOT_FOUND
            )
        return stack


def login(url: str) -> None:
    path = pulumi_home() / "credentials.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"current": url}), encoding="utf-8")


def current_backend_url() -> str:
    """``PULUMI_BACKEND_URL``, else the last ``pulumi login``."""
    if os.environ.get(BACKEND_URL_VARIABLE):
        return os.environ[BACKEND_URL_VARIABLE]
    path = pulumi_home() / "credentials.json"
    current = json.loads(path.read_text(encoding="utf-8")).get("current") if path.exists() else None
    if not current:
        raise CliError(
            "not logged in to a backend: run `pulumi login s3://<bucket>/<prefix>` (or set "
            f"{BACKEND_URL_VARIABLE})",
            AUTH,
        )
    return current
