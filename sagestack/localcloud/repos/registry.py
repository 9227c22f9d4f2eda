"""Which local repositories exist: name, the URL each stands in for, and its bare repository.

Kept in an add-on backend, so a local cloud with ``--state-dir`` keeps its repositories (their
folders live under the state folder too) and a reset forgets them.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.executors import runtime
from sagestack.localcloud.repos import git

HOOK = Path(__file__).with_name("hook.py")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# the file beside the bare repository's hooks that tells the hook where the local cloud is
HOOK_CONFIG = "sagestack-hook.json"


class RepositoryError(Exception):
    """Bad input for a repository; ``status`` is the HTTP status the route answers with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Repository:
    name: str
    url: str
    path: Path

    def shown(self) -> dict[str, str]:
        return {"name": self.name, "url": self.url, "remote": str(self.path)}


def normalized_url(url: str) -> str:
    """URLs that name the same repository compare equal (case of the host, ``.git``, ``/``)."""
    text = url.strip().rstrip("/").removesuffix(".git")
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


class RepositoriesBackend(moto_internals.BaseBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.repositories: dict[str, Repository] = {}
        # repository name -> pull request number -> {"head", "base", "state"}
        self.pulls: dict[str, dict[int, dict[str, str]]] = {}

    def create(self, name: str, url: str) -> Repository:
        if not _NAME.match(name or ""):
            raise RepositoryError(
                f"repository name '{name}' is invalid: use letters, digits, '.', '_' and '-' "
                "(up to 100, starting with a letter or digit)"
            )
        if not re.match(r"^(https?|ssh|git)://[^/]+/.+", url or ""):
            raise RepositoryError(
                f"repository URL '{url}' is invalid: expected the URL CodeBuild projects use as "
                "source location, e.g. https://github.com/acme/churn"
            )
        if name in self.repositories:
            raise RepositoryError(f"repository '{name}' already exists", status=409)
        taken = self.find_by_url(url)
        if taken is not None:
            raise RepositoryError(f"repository '{taken.name}' already stands in for {url}", 409)
        path = runtime.current().work_root / "repos" / f"{name}.git"
        shutil.rmtree(path, ignore_errors=True)  # left over from before a reset
        git.init_bare(path)
        repository = Repository(name=name, url=url, path=path)
        install_hook(repository)
        self.repositories[name] = repository
        return repository

    def open_pull(self, name: str, head: str, base: str) -> int:
        pulls = self.pulls.setdefault(name, {})
        number = max(pulls, default=0) + 1
        pulls[number] = {"head": head, "base": base, "state": "open"}
        return number

    def pull(self, name: str, number: int | None, head: str, base: str) -> int | None:
        """The pull request ``number``, or the latest one from ``head`` into ``base``."""
        pulls = self.pulls.get(name, {})
        if number is not None:
            return number if number in pulls else None
        matching = [n for n, p in pulls.items() if p["head"] == head and p["base"] == base]
        return max(matching, default=None)

    def get(self, name: str) -> Repository:
        if name not in self.repositories:
            raise RepositoryError(f"repository '{name}' does not exist", status=404)
        return self.repositories[name]

    def find_by_url(self, url: str) -> Repository | None:
        wanted = normalized_url(url)
        return next(
            (r for r in self.repositories.values() if normalized_url(r.url) == wanted), None
        )


def install_hook(repository: Repository) -> None:
    """The post-receive hook, and where it finds the running local cloud."""
    hook = repository.path / "hooks" / "post-receive"
    hook.write_text(f"#!/bin/sh\nexec '{sys.executable}' -I '{HOOK}' \"$@\"\n")
    hook.chmod(0o755)
    config = {"endpoint": runtime.current().endpoint_url, "name": repository.name}
    (repository.path / HOOK_CONFIG).write_text(json.dumps(config))


repositories_backends = moto_internals.addon_backends(
    RepositoriesBackend, "sagestack-repos", regions_of="codebuild"
)


def repositories() -> RepositoriesBackend:
    """The one registry (repositories belong to the machine, not to an account or region)."""
    return repositories_backends[moto_internals.DEFAULT_ACCOUNT_ID]["us-east-1"]
