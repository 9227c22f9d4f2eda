"""Which AWS operation a request calls, and with which parameters, read with botocore's service
models: the JSON protocol's ``X-Amz-Target``, the query protocol's ``Action``, the RPC-v2 path,
or, for the REST protocols, the method and path matched against each operation's ``requestUri``
(S3's ``authPath`` when it has one: the bucket moved to the host in its endpoint rules).

Only what authorization needs is parsed: top-level parameters (URI labels, query string,
headers, a JSON or form body); nested and streaming members are left alone.
"""

from __future__ import annotations

import functools
import json
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import botocore.session
from botocore.exceptions import UnknownServiceError

# botocore services per SigV4 signing name, for the services the platform and projects use.
SERVICES_BY_SIGNING_NAME = {
    "monitoring": ("cloudwatch",),
    "sagemaker": ("sagemaker", "sagemaker-runtime", "sagemaker-featurestore-runtime"),
}


@dataclass(frozen=True)
class HttpRequest:
    """What the dispatcher read of a request (header names lower case)."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes | None  # None when not read (streamed payloads)
    signing_service: str
    region: str


@dataclass(frozen=True)
class Operation:
    service: str  # botocore's name: "s3", "sagemaker-runtime"
    name: str  # "GetObject"
    params: dict[str, Any] = field(default_factory=dict)


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def service_model(service: str) -> Any | None:
    try:
        return _session().get_service_model(service)
    except UnknownServiceError:
        return None


def _candidates(signing_service: str) -> list[Any]:
    names = SERVICES_BY_SIGNING_NAME.get(signing_service, (signing_service,))
    return [model for model in map(service_model, names) if model is not None]


def resolve(request: HttpRequest) -> Operation | None:
    """The operation ``request`` calls, or None when no model of its service explains it."""
    models = _candidates(request.signing_service)
    target = request.headers.get("x-amz-target")
    if target:
        return _by_target(models, target, request.body)
    action = _form(request).get("Action") or (request.query.get("Action") or [None])[0]
    if action:
        return _by_action(models, action, _form(request) or _flat(request.query))
    rpc = re.fullmatch(r"/service/([^/]+)/operation/([^/]+)", request.path)
    if rpc:
        return _by_rpc_path(models, rpc[1], rpc[2])
    return _by_route(models, request)


def _json(body: bytes | None) -> dict[str, Any]:
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _by_target(models: list[Any], target: str, body: bytes | None) -> Operation | None:
    prefix, _, name = target.rpartition(".")
    for model in models:
        if model.metadata.get("targetPrefix") == prefix and name in model.operation_names:
            return Operation(model.service_name, name, _json(body))
    return None


def _form(request: HttpRequest) -> dict[str, Any]:
    if not request.body or not request.headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"
    ):
        return {}
    return _flat(urllib.parse.parse_qs(request.body.decode(), keep_blank_values=True))


def _flat(query: Mapping[str, list[str]]) -> dict[str, Any]:
    """Query-protocol parameters: ``Name=x`` -> ``{"Name": "x"}``, ``Names.member.2=y`` ->
    ``{"Names": [.., "y"]}`` (deeper structures are not needed to authorize)."""
    params: dict[str, Any] = {}
    members: dict[str, dict[int, str]] = {}
    for key, values in query.items():
        parts = key.split(".")
        if len(parts) == 1:
            params[key] = values[0]
        elif len(parts) == 3 and parts[1] == "member" and parts[2].isdigit():
            members.setdefault(parts[0], {})[int(parts[2])] = values[0]
    for name, items in members.items():
        params[name] = [items[index] for index in sorted(items)]
    return params


def _by_action(models: list[Any], action: str, params: dict[str, Any]) -> Operation | None:
    for model in models:
        if action in model.operation_names:
            return Operation(model.service_name, action, params)
    return None


def _by_rpc_path(models: list[Any], service_id: str, name: str) -> Operation | None:
    # Smithy RPC v2 bodies are CBOR, which nothing here decodes: the operation only.
    for model in models:
        if model.metadata.get("targetPrefix") == service_id and name in model.operation_names:
            return Operation(model.service_name, name, {})
    return None


@dataclass(frozen=True)
class _Route:
    operation: str
    method: str
    pattern: re.Pattern[str]
    labels: dict[str, str]  # regex group -> member name
    literal_query: tuple[str, ...]  # keys the requestUri fixes (?uploads, ?list-type=2)
    required: tuple[tuple[str, str], ...]  # (location, wire name) of required members
    literal_length: int

    def score(self, request: HttpRequest) -> tuple[int, int] | None:
        if request.method != self.method:
            return None
        if any(key not in request.query for key in self.literal_query):
            return None
        for location, name in self.required:
            present = request.query if location == "querystring" else request.headers
            if (name.lower() if location == "header" else name) not in present:
                return None
        if not self.pattern.fullmatch(_normal_path(request.path)):
            return None
        return (len(self.literal_query) + len(self.required), self.literal_length)


def _normal_path(path: str) -> str:
    return path.rstrip("/") or "/"


@functools.cache
def _routes(service: str, method: str) -> tuple[_Route, ...]:
    model = service_model(service)
    routes = (_route(model.operation_model(name)) for name in model.operation_names)
    return tuple(route for route in routes if route.method == method)


def _route(operation: Any) -> _Route:
    http = operation.http
    uri_path, _, uri_query = http.get("requestUri", "/").partition("?")
    path = _normal_path(http.get("authPath") or uri_path)
    labels: dict[str, str] = {}
    members = operation.input_shape.members if operation.input_shape else {}
    by_wire = {
        (m.serialization.get("location"), m.serialization.get("name", n)): n
        for n, m in members.items()
    }

    def label(match: re.Match[str]) -> str:
        wire, greedy = match[1].rstrip("+"), match[1].endswith("+")
        group = f"g{len(labels)}"
        labels[group] = by_wire.get(("uri", wire), wire)
        return f"(?P<{group}>{'.+' if greedy else '[^/]+'})"

    pieces = re.split(r"(\{[^}]+\})", path)
    regex = "".join(
        label(re.match(r"\{([^}]+)\}", p)) if p.startswith("{") else re.escape(p) for p in pieces
    )
    literal_query = tuple(
        key for key in urllib.parse.parse_qs(uri_query, keep_blank_values=True) if key != "x-id"
    )
    required_names = set(operation.input_shape.required_members) if operation.input_shape else set()
    required = tuple(
        (m.serialization["location"], m.serialization.get("name", n))
        for n, m in members.items()
        if n in required_names and m.serialization.get("location") in ("querystring", "header")
    )
    return _Route(
        operation=operation.name,
        method=http["method"],
        pattern=re.compile(regex),
        labels=labels,
        literal_query=literal_query,
        required=required,
        literal_length=len(re.sub(r"\{[^}]+\}", "", path)),
    )


def _by_route(models: list[Any], request: HttpRequest) -> Operation | None:
    best: tuple[tuple[int, int], str, _Route] | None = None
    for model in models:
        if model.protocol not in ("rest-json", "rest-xml"):
            continue
        for route in _routes(model.service_name, request.method):
            score = route.score(request)
            if score is not None and (best is None or score > best[0]):
                best = (score, model.service_name, route)
    if best is None:
        return None
    _, service, route = best
    return Operation(service, route.operation, _route_params(service, route, request))


def _route_params(service: str, route: _Route, request: HttpRequest) -> dict[str, Any]:
    operation = service_model(service).operation_model(route.operation)
    params: dict[str, Any] = {}
    if service_model(service).protocol == "rest-json":
        params.update(_json(request.body) if request.body else {})
    members = operation.input_shape.members if operation.input_shape else {}
    for name, member in members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "querystring" and wire in request.query:
            params[name] = request.query[wire][0]
        elif location == "header" and wire.lower() in request.headers:
            params[name] = request.headers[wire.lower()]
    match = route.pattern.fullmatch(_normal_path(request.path))
    for group, name in route.labels.items():
        params[name] = match[group]
    return params
