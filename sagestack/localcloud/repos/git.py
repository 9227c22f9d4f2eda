"""The git commands the local repositories need, each a short ``git`` run on a bare repository."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

ZERO = "0" * 40
_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"}


class GitError(Exception):
    pass


def git(repository: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(
        ["git", f"--git-dir={repository}", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **_ENV},
    )
    if check and done.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def init_bare(path: Path, default_branch: str = "main") -> None:
    path.mkdir(parents=True)
    subprocess.run(
        ["git", "init", "--quiet", "--bare", f"--initial-branch={default_branch}", str(path)],
        check=True,
        env={**os.environ, **_ENV},
    )


def resolve(repository: Path, revision: str) -> str | None:
    """The commit SHA of ``revision`` (a SHA, ref, branch or tag), or None."""
    out = git(repository, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", check=False)
    return out.strip() or None


@dataclass(frozen=True)
class Commit:
    id: str
    tree_id: str
    message: str
    timestamp: str  # ISO 8601 with offset
    author_name: str
    author_email: str
    committer_name: str
    committer_email: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    modified: tuple[str, ...]


_FORMAT = "%H%x00%T%x00%aI%x00%an%x00%ae%x00%cn%x00%ce%x00%B%x00"


def commits(repository: Path, before: str, after: str) -> list[Commit]:
    """The commits ``after`` adds over ``before`` (oldest first), as a push event lists them.

    A new branch lists the commits no other branch has, as GitHub does.
    """
    if after == ZERO:
        return []
    if before == ZERO:
        others = [
            r
            for r in git(repository, "for-each-ref", "--format=%(objectname)", "refs/heads").split()
            if r != after
        ]
        span = [after, *(f"^{other}" for other in others)]
    else:
        span = [f"{before}..{after}"]
    log = git(repository, "log", "--reverse", f"--format={_FORMAT}", *span, "--")
    fields = log.split("\x00")
    result = []
    for start in range(0, len(fields) - 8, 8):
        sha, tree, when, an, ae, cn, ce, message = (
            f.strip("\n") for f in fields[start : start + 8]
        )
        added, removed, modified = changed_files(repository, f"{sha}^", sha)
        result.append(
            Commit(sha, tree, message.rstrip("\n"), when, an, ae, cn, ce, added, removed, modified)
        )
    return result


def commit(repository: Path, sha: str) -> Commit:
    fields = git(repository, "log", "-1", f"--format={_FORMAT}", sha, "--").split("\x00")
    sha, tree, when, an, ae, cn, ce, message = (f.strip("\n") for f in fields[:8])
    added, removed, modified = changed_files(repository, f"{sha}^", sha)
    return Commit(sha, tree, message.rstrip("\n"), when, an, ae, cn, ce, added, removed, modified)


def changed_files(
    repository: Path, base: str, head: str
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(added, removed, modified) between two revisions; a root commit adds all its files."""
    if resolve(repository, base) is None:
        names = git(repository, "ls-tree", "-r", "--name-only", head).split("\n")
        return tuple(n for n in names if n), (), ()
    out = git(repository, "diff", "--name-status", "--no-renames", base, head)
    status: dict[str, list[str]] = {"A": [], "D": [], "M": []}
    for row in out.splitlines():
        kind, _, name = row.partition("\t")
        status.setdefault(kind[:1], []).append(name)
    return tuple(status["A"]), tuple(status["D"]), tuple(status["M"] + status.get("T", []))


def merge_base(repository: Path, base: str, head: str) -> str | None:
    out = git(repository, "merge-base", base, head, check=False)
    return out.strip() or None


def update_ref(repository: Path, ref: str, sha: str) -> None:
    git(repository, "update-ref", ref, sha)
