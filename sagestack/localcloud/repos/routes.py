"""The local cloud's HTTP routes for its repositories (``contract.LOCAL_REPOS_ROUTE``):

- ``GET /``: the repositories; ``POST /`` ``{"name", "url"}``: create one (201);
- ``POST /<name>/receive`` ``{"updates": [{"before", "after", "ref"}]}``: the post-receive hook
  reports a push; each moved ref is delivered as a ``push`` event;
- ``POST /<name>/pulls`` ``{"head", "base", "action", "number"?, "title"?}``: a pull request
  event (``opened``, ``synchronize``, ``reopened``, ``closed``; ``merged`` with ``closed``).

Answers are JSON; errors ``{"message"}`` with a 4xx status.
"""

from __future__ import annotations

import json
from typing import Any

from sagestack.localcloud.repos import delivery, git, payloads
from sagestack.localcloud.repos.registry import RepositoryError, repositories

PULL_REQUEST_ACTIONS = ("opened", "synchronize", "reopened", "closed")
MAX_REQUEST_BYTES = 1024 * 1024


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    from sagestack import contract

    path = environ.get("PATH_INFO", "")[len(contract.LOCAL_REPOS_ROUTE) :].strip("/")
    method = environ.get("REQUEST_METHOD", "GET")
    try:
        status, answer = _route(method, path.split("/") if path else [], _json(environ))
    except RepositoryError as error:
        status, answer = error.status, {"message": str(error)}
    except git.GitError as error:
        status, answer = 400, {"message": str(error)}
    body = json.dumps(answer).encode()
    start_response(
        f"{status} {'OK' if status < 400 else 'Error'}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


def _route(method: str, parts: list[str], request: dict[str, Any]) -> tuple[int, dict]:
    registry = repositories()
    if not parts and method == "GET":
        return 200, {"repositories": [r.shown() for r in registry.repositories.values()]}
    if not parts and method == "POST":
        created = registry.create(str(request.get("name", "")), str(request.get("url", "")))
        return 201, created.shown()
    if len(parts) == 2 and method == "POST" and parts[1] == "receive":
        return 200, {"messages": receive(parts[0], request.get("updates") or [])}
    if len(parts) == 2 and method == "POST" and parts[1] == "pulls":
        return 200, pull_request(parts[0], request)
    raise RepositoryError(f"no route for {method} /{'/'.join(parts)}", status=404)


def receive(name: str, updates: list[dict[str, str]]) -> list[str]:
    repository = repositories().get(name)
    messages = []
    for update in updates:
        payload = payloads.push(repository, update["before"], update["after"], update["ref"])
        results = delivery.deliver(repository, "push", payload)
        messages += [r.describe(f"push of {update['ref']}") for r in results]
        if not results:
            messages.append(f"push of {update['ref']}: no CodeBuild webhook has {repository.url}")
    return messages


def pull_request(name: str, request: dict[str, Any]) -> dict[str, Any]:
    registry = repositories()
    repository = registry.get(name)
    head, base = str(request.get("head", "")), str(request.get("base", "main"))
    action = str(request.get("action", "opened"))
    if action not in PULL_REQUEST_ACTIONS:
        raise RepositoryError(
            f"action '{action}' is invalid: use one of {', '.join(PULL_REQUEST_ACTIONS)}"
        )
    for branch in (head, base):
        if git.resolve(repository.path, f"refs/heads/{branch}") is None:
            raise RepositoryError(f"branch '{branch}' does not exist in repository '{name}'")
    number = _number(registry, name, request, head, base, action)
    head_sha = git.resolve(repository.path, f"refs/heads/{head}")
    git.update_ref(repository.path, f"refs/pull/{number}/head", head_sha or "")
    merged = action == "closed" and bool(request.get("merged"))
    registry.pulls[name][number]["state"] = "closed" if action == "closed" else "open"
    payload = payloads.pull_request(
        repository,
        number,
        action,
        head,
        base,
        str(request.get("title") or f"Merge {head}"),
        merged=merged,
    )
    results = delivery.deliver(repository, "pull_request", payload)
    return {
        "number": number,
        "messages": [r.describe(f"pull request #{number} {action}") for r in results],
    }


def _number(registry: Any, name: str, request: dict, head: str, base: str, action: str) -> int:
    given = request.get("number")
    if action == "opened" and given is None:
        return registry.open_pull(name, head, base)
    number = registry.pull(name, int(given) if given is not None else None, head, base)
    if number is None:
        raise RepositoryError(
            f"no pull request from '{head}' into '{base}' in repository '{name}': open one first"
        )
    return number


def _json(environ: dict[str, Any]) -> dict[str, Any]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > MAX_REQUEST_BYTES:
        raise RepositoryError("request too large", status=413)
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        document = json.loads(raw) if raw else {}
    except ValueError:
        raise RepositoryError("the request body is not JSON") from None
    if not isinstance(document, dict):
        raise RepositoryError("the request body is not a JSON object")
    return document


def refresh_hooks() -> None:
    """Point every repository's hook at the running local cloud (its port may have changed)."""
    from sagestack.localcloud.repos.registry import install_hook

    for repository in repositories().repositories.values():
        if repository.path.exists():
            install_hook(repository)
