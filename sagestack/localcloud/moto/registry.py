"""What the endpoint serves beyond moto: add-on services (claimed per request) and path routes.

An add-on registers an :class:`AddOnService` (a moto-shaped ``urls.py`` plus a predicate that
claims requests, e.g. by signing service); the endpoint's own paths (health, clock, SNS
confirmation links) register a WSGI app per path prefix; an authorizer (IAM enforcement) sees
every service request first and may refuse it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.core.base_backend import BackendDict

from sagestack.localcloud.moto.backends import register_backends

Handler = Callable[..., Any]


@dataclass(frozen=True)
class RequestInfo:
    """What the dispatcher knows about a request before any service parses it."""

    signing_service: str | None  # the SigV4 credential scope's service, e.g. "sagemaker"
    region: str | None
    target: str | None  # X-Amz-Target, for the JSON protocol
    method: str
    path: str

    @property
    def operation_from_target(self) -> str | None:
        return self.target.rsplit(".", 1)[-1] if self.target else None


@dataclass(frozen=True)
class AddOnService:
    """A service moto lacks, served by an add-on in moto's shape.

    ``url_paths`` has the shape of a moto ``urls.py`` (regex path, ``{0}`` for the base, handler
    ``SomeResponse.dispatch``); ``claims`` decides from the request whether it is this service's.
    """

    name: str
    url_paths: dict[str, Handler]
    claims: Callable[[RequestInfo], bool]
    backends: BackendDict


# environ, info -> a WSGI app answering instead of the service (a refusal), or None to go on
Authorizer = Callable[[dict[str, Any], RequestInfo], Callable[..., Any] | None]

ADDONS: dict[str, AddOnService] = {}
AUTHORIZERS: list[Authorizer] = []
# path prefix -> WSGI app, for the endpoint's own paths (health, SNS confirmation links)
ROUTES: dict[str, Callable[..., Any]] = {}
_STATEFUL_GET_PREFIXES: set[str] = set()


def register_service(service: AddOnService) -> None:
    """Serve requests that ``service.claims`` through ``service.url_paths`` (idempotent)."""
    ADDONS[service.name] = service
    register_backends(service.backends)


def register_route(
    path_prefix: str, wsgi_app: Callable[..., Any], stateful_get: bool = False
) -> None:
    """Serve every request whose path starts with ``path_prefix`` by ``wsgi_app`` (idempotent).

    ``stateful_get``: its GETs change state (SNS's SubscribeURL does), so a journal keeps them.
    """
    ROUTES[path_prefix] = wsgi_app
    if stateful_get:
        _STATEFUL_GET_PREFIXES.add(path_prefix)


def is_stateful_get(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in _STATEFUL_GET_PREFIXES)


def register_authorizer(authorizer: Authorizer) -> None:
    """Ask ``authorizer`` about every service request before it is routed (idempotent); the
    first one that answers a WSGI app answers the request with it."""
    if authorizer not in AUTHORIZERS:
        AUTHORIZERS.append(authorizer)


def signed_for(*signing_services: str) -> Callable[[RequestInfo], bool]:
    """A ``claims`` predicate: the request was signed for one of ``signing_services``."""
    names = frozenset(signing_services)
    return lambda info: info.signing_service in names


def claiming_addon(info: RequestInfo) -> AddOnService | None:
    """The add-on that claims the request, if any."""
    for addon in ADDONS.values():
        if addon.claims(info):
            return addon
    return None


def service_names() -> list[str]:
    """Every service the endpoint answers: moto's backends and the add-ons."""
    from moto.backend_index import backend_url_patterns

    return sorted({name for name, _pattern in backend_url_patterns} | set(ADDONS))
