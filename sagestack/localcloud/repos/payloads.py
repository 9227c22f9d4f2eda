"""GitHub's webhook payloads for what happened in a local repository: ``push`` (a ref moved,
was created or deleted) and ``pull_request``, with the keys GitHub sends (octokit's schemas;
/work/notes/codebuild.md §6). Only what the local cloud knows is filled in; ids are stable
numbers derived from names, as GitHub's are stable per repository and user."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from typing import Any

from sagestack.localcloud.repos import git
from sagestack.localcloud.repos.registry import Repository

SENDER_LOGIN = "sagestack-local"


def push(repository: Repository, before: str, after: str, ref: str) -> dict[str, Any]:
    deleted = after == git.ZERO
    commits = git.commits(repository.path, before, after)
    head = git.commit(repository.path, after) if not deleted else None
    html = _html_url(repository)
    return {
        "ref": ref,
        "before": before,
        "after": after,
        "created": before == git.ZERO,
        "deleted": deleted,
        "forced": False,
        "base_ref": None,
        "compare": f"{html}/commit/{after}"
        if before == git.ZERO
        else (f"{html}/compare/{before[:12]}...{after[:12]}"),
        "commits": [_commit(c, html) for c in commits],
        "head_commit": _commit(head, html) if head else None,
        "repository": _repository(repository, push_event=True),
        "pusher": _person(head.committer_name, head.committer_email)
        if head
        else (_person(SENDER_LOGIN, None)),
        "sender": _user(SENDER_LOGIN),
    }


def pull_request(
    repository: Repository,
    number: int,
    action: str,
    head_ref: str,
    base_ref: str,
    title: str,
    merged: bool = False,
) -> dict[str, Any]:
    head_sha = git.resolve(repository.path, f"refs/heads/{head_ref}") or git.ZERO
    base_sha = git.resolve(repository.path, f"refs/heads/{base_ref}") or git.ZERO
    html = _html_url(repository)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    closed = action == "closed"
    repo = _repository(repository, push_event=False)
    return {
        "action": action,
        "number": number,
        "pull_request": {
            "url": f"{_api_url(repository)}/pulls/{number}",
            "id": _stable_id(f"{repository.url}#{number}"),
            "node_id": f"PR_{number}",
            "html_url": f"{html}/pull/{number}",
            "number": number,
            "state": "closed" if closed else "open",
            "title": title,
            "user": _user(SENDER_LOGIN),
            "body": None,
            "created_at": now,
            "updated_at": now,
            "closed_at": now if closed else None,
            "merged_at": now if merged else None,
            "merge_commit_sha": None,
            "head": _branch(repo, head_ref, head_sha),
            "base": _branch(repo, base_ref, base_sha),
            "draft": False,
            "merged": merged,
            "mergeable": None,
            "merged_by": _user(SENDER_LOGIN) if merged else None,
        },
        "repository": repo,
        "sender": _user(SENDER_LOGIN),
    }


def _branch(repo: dict[str, Any], ref: str, sha: str) -> dict[str, Any]:
    owner = repo["owner"]["login"]
    return {"label": f"{owner}:{ref}", "ref": ref, "sha": sha, "user": repo["owner"], "repo": repo}


def _commit(commit: git.Commit, html: str) -> dict[str, Any]:
    return {
        "id": commit.id,
        "tree_id": commit.tree_id,
        "distinct": True,
        "message": commit.message,
        "timestamp": commit.timestamp,
        "url": f"{html}/commit/{commit.id}",
        "author": {**_person(commit.author_name, commit.author_email), "username": None},
        "committer": {**_person(commit.committer_name, commit.committer_email), "username": None},
        "added": list(commit.added),
        "removed": list(commit.removed),
        "modified": list(commit.modified),
    }


def _owner_and_name(repository: Repository) -> tuple[str, str]:
    path = repository.url.split("://", 1)[-1].split("/", 1)[-1].removesuffix(".git").strip("/")
    owner, _, name = path.rpartition("/")
    return owner or SENDER_LOGIN, name


def _repository(repository: Repository, push_event: bool) -> dict[str, Any]:
    owner, name = _owner_and_name(repository)
    html = _html_url(repository)
    now = datetime.now(UTC)
    shown = {
        "id": _stable_id(repository.url),
        "node_id": f"R_{name}",
        "name": name,
        "full_name": f"{owner}/{name}",
        "private": True,
        "owner": {**_user(owner), "name": owner, "email": None},
        "html_url": html,
        "url": _api_url(repository),
        "clone_url": f"{html}.git",
        "git_url": f"git://{html.split('://', 1)[-1]}.git",
        "ssh_url": f"git@{html.split('://', 1)[-1].replace('/', ':', 1)}.git",
        "svn_url": html,
        "default_branch": "main",
        "updated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    # GitHub's push events carry epoch seconds here, every other event ISO strings
    stamp: Any = int(now.timestamp()) if push_event else shown["updated_at"]
    shown.update(created_at=stamp, pushed_at=stamp)
    if push_event:
        shown.update(stargazers=0, master_branch="main")
    return shown


def _html_url(repository: Repository) -> str:
    return repository.url.rstrip("/").removesuffix(".git")


def _api_url(repository: Repository) -> str:
    owner, name = _owner_and_name(repository)
    return f"https://api.github.com/repos/{owner}/{name}"


def _person(name: str, email: str | None) -> dict[str, Any]:
    return {"name": name, "email": email}


def _user(login: str) -> dict[str, Any]:
    return {
        "login": login,
        "id": _stable_id(login),
        "node_id": f"U_{login}",
        "type": "User",
        "site_admin": False,
    }


def _stable_id(text: str) -> int:
    return zlib.crc32(text.encode()) & 0x7FFFFFFF
