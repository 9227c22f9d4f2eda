"""The one module that reaches into moto's internals.

Everything the local cloud needs from moto beyond its public ``ThreadedMotoServer`` goes through
here, so a moto upgrade is one file to fix (moto is pinned in pyproject.toml for this reason):

- :func:`backend` reaches a backend (moto's or an add-on's) for an account and region;
- :func:`register_service` routes requests of a service moto lacks to an add-on's responses class;
- :func:`extend_service` routes a service moto has to a subclass of moto's responses class that adds
  operations (CodeBuild webhooks, SageMaker monitoring schedules...);
- :func:`addon_backends` gives an add-on moto-style backends (per account and region, reset and
  saved with moto's);
- :func:`register_route` serves a path prefix of the endpoint with any WSGI app (health, SNS);
- :func:`wrap_backend_operation` and :func:`wrap_model_method` add behaviour around a backend or
  model method (events after an update);
- :class:`LocalCloudDispatcher` is the WSGI application: moto's dispatcher plus the add-ons, plus
  AWS-shaped ``NotImplemented`` errors where moto would return a 404 page, a 500 or a traceback;
- :func:`reset_state`, :func:`live_backends`, :func:`restore_backend` act on all backends;
  :func:`on_reset` clears the add-ons' records that live outside backends along with them.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import boto3
import moto
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse, EmptyResult, PaginatedResult
from moto.core.utils import convert_regex_to_flask_path, convert_to_flask_response
from moto.moto_server.werkzeug_app import (
    DEFAULT_SERVICE_REGION,
    BackendRequest,
    DomainDispatcherApplication,
    create_backend_app,
)
from moto.moto_server.werkzeug_app import HTTP_METHODS as _HTTP_METHODS
from moto.utilities.paginator import paginate

MOTO_VERSION = "5.2.5"

if moto.__version__ != MOTO_VERSION:  # pragma: no cover - guards an unpinned environment
    raise ImportError(
        f"sagestack.localcloud extends moto {MOTO_VERSION} internals but moto {moto.__version__} "
        "is installed; reinstall with `pip install moto[server]==" + MOTO_VERSION + "`"
    )

# Re-exported so add-ons import moto's building blocks from here and nowhere else.
__all__ = [
    "ActionResult",
    "addon_backends",
    "AddOnService",
    "backend",
    "BackendDict",
    "BaseBackend",
    "BaseResponse",
    "DEFAULT_ACCOUNT_ID",
    "EmptyResult",
    "extend_service",
    "find_feature_group",
    "iter_backends",
    "live_backends",
    "LocalCloudDispatcher",
    "moto_responses_class",
    "on_reset",
    "paginate",
    "PaginatedResult",
    "register_backends",
    "register_route",
    "register_service",
    "RequestInfo",
    "reset_state",
    "restore_backend",
    "served_responses_class",
    "ServiceException",
    "signed_for",
    "wrap_backend_operation",
    "wrap_model_method",
]

log = logging.getLogger(__name__)

Handler = Callable[..., Any]


# --- reaching a backend ------------------------------------------------------------------------


def backend(service: str, account_id: str = DEFAULT_ACCOUNT_ID, region: str = "us-east-1") -> Any:
    """The backend holding ``service``'s state for one account and region (add-ons included)."""
    return _backend_dict(service)[account_id][region]


def find_feature_group(account_id: str, region: str, name_or_arn: str) -> Any | None:
    """moto's SageMaker feature group by name or ARN, or None (moto itself only finds by name)."""
    for group in backend("sagemaker", account_id, region).feature_groups.values():
        if name_or_arn in (group.feature_group_name, group.arn):
            return group
    return None


# --- routing -----------------------------------------------------------------------------------


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


_ADDONS: dict[str, AddOnService] = {}
# path prefix -> WSGI app, for the endpoint's own paths (health, SNS confirmation links)
_ROUTES: dict[str, Callable[..., Any]] = {}
# every add-on backend by its service name, routed or not (an extension's state lives here too)
_ADDON_BACKENDS: dict[str, BackendDict] = {}
# moto backend name -> the responses subclasses that serve it instead of moto's own class
_EXTENSIONS: dict[str, list[type[BaseResponse]]] = {}


def register_service(service: AddOnService) -> None:
    """Serve requests that ``service.claims`` through ``service.url_paths`` (idempotent)."""
    _ADDONS[service.name] = service
    register_backends(service.backends)


def addon_backends(backend_class: type, service_name: str, regions_of: str) -> BackendDict:
    """A registered BackendDict for an add-on, in the regions where ``regions_of`` exists.

    botocore lists no regions for some services (the Feature Store runtime, CodeConnections),
    so the add-on borrows those of the service it belongs with.
    """
    backends = BackendDict(
        backend_class,
        service_name,
        use_boto3_regions=False,
        additional_regions=list(_regions_of(regions_of)),
    )
    register_backends(backends)
    return backends


@functools.cache
def _regions_of(service: str) -> tuple[str, ...]:
    session = _botocore_session()
    return tuple(
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions(service, partition_name=partition)
    )


@functools.cache
def _botocore_session() -> boto3.session.Session:
    return boto3.session.Session()  # loading endpoint data takes a while: once is enough


def register_backends(backends: BackendDict) -> None:
    """Make an add-on's backends reachable by :func:`backend` and kept by ``--state-dir``."""
    _ADDON_BACKENDS[backends.service_name] = backends


def register_route(path_prefix: str, wsgi_app: Callable[..., Any]) -> None:
    """Serve every request whose path starts with ``path_prefix`` by ``wsgi_app`` (idempotent)."""
    _ROUTES[path_prefix] = wsgi_app


def signed_for(*signing_services: str) -> Callable[[RequestInfo], bool]:
    """A ``claims`` predicate: the request was signed for one of ``signing_services``."""
    names = frozenset(signing_services)
    return lambda info: info.signing_service in names


def extend_service(moto_service: str, responses_class: type[BaseResponse]) -> None:
    """Serve ``moto_service`` through ``responses_class``, a subclass of moto's responses class.

    The subclass inherits every operation moto implements and adds or overrides others; every
    route of the service that pointed at moto's class now points at the subclass. Several
    add-ons may extend one service: they are combined, the last registered first in line.
    """
    moto_class = moto_responses_class(moto_service)
    if not issubclass(responses_class, moto_class):
        raise TypeError(f"{responses_class.__name__} must subclass moto's {moto_class.__name__}")
    extensions = _EXTENSIONS.setdefault(moto_service, [])
    if responses_class not in extensions:
        extensions.append(responses_class)


def served_responses_class(moto_service: str) -> type[BaseResponse]:
    """The class that answers ``moto_service``: moto's, or its extensions combined."""
    extensions = _EXTENSIONS.get(moto_service)
    if not extensions:
        return moto_responses_class(moto_service)
    if len(extensions) == 1:
        return extensions[0]
    return type(f"Extended{extensions[-1].__name__}", tuple(reversed(extensions)), {})


def moto_responses_class(moto_service: str) -> type[BaseResponse]:
    """moto's responses class for ``moto_service``: what an extension subclasses."""
    for handler in _moto_url_paths(moto_service).values():
        owner = getattr(handler, "__self__", None)
        if isinstance(owner, type) and issubclass(owner, BaseResponse):
            return owner
    raise LookupError(f"moto service {moto_service!r} has no responses class")


def _moto_url_paths(moto_service: str) -> dict[str, Handler]:
    """moto's ``urls.py`` routes of a service, without creating a backend to find them."""
    import importlib

    from moto.backends import ALT_SERVICE_NAMES

    module = ALT_SERVICE_NAMES.get(moto_service, moto_service).replace("-", "")
    return dict(importlib.import_module(f"moto.{module}.urls").url_paths)


def _extended_url_paths(moto_service: str, responses_class: type[BaseResponse]) -> dict:
    moto_class = moto_responses_class(moto_service)
    paths = _moto_url_paths(moto_service)
    for path, handler in paths.items():
        if getattr(handler, "__self__", None) is moto_class:
            paths[path] = responses_class.dispatch
    return paths


def _flask_app(name: str, url_paths: dict[str, Handler]) -> Any:
    """A Flask app serving ``url_paths`` the way moto's server serves a service's urls.py."""
    from flask import Flask
    from moto.moto_server.utilities import RegexConverter
    from werkzeug.routing import Map

    app = Flask(f"sagestack-{name}")
    # as moto's own apps do: errors reach the dispatcher (NotImplementedError becomes a 501)
    app.debug = True
    app.request_class = BackendRequest
    app.url_map = Map()
    app.url_map.converters["regex"] = RegexConverter
    for index, (path, handler) in enumerate(url_paths.items()):
        flask_path = convert_regex_to_flask_path(path.format(""))
        if not flask_path:
            continue
        app.add_url_rule(
            flask_path,
            endpoint=f"{name}-{index}",
            methods=_HTTP_METHODS,
            view_func=convert_to_flask_response(handler),
            strict_slashes=False,
        )
    return app


# --- wrapping backend operations ---------------------------------------------------------------

# wrapper(original, backend, *args, **kwargs) -> result; it calls original(*args, **kwargs).
Wrapper = Callable[..., Any]
_WRAPPED_MARKER = "__sagestack_wrappers__"


def wrap_backend_operation(service: str, operation: str, wrapper: Wrapper) -> None:
    """Run ``wrapper`` around ``operation`` of ``service``'s backend class, in every region.

    ``wrapper(original, backend, *args, **kwargs)`` must call ``original(*args, **kwargs)`` and
    return its result. Wrappers stack in registration order (the first registered is outermost);
    registering the same wrapper twice is a no-op, so installing add-ons is idempotent.
    """
    _wrap(type(backend(service)), operation, wrapper)


def _wrap(owner: type, operation: str, wrapper: Wrapper) -> None:
    current = getattr(owner, operation)
    wrappers: list[Wrapper] = getattr(current, _WRAPPED_MARKER, None) or []
    if wrapper in wrappers:
        return
    original = getattr(current, "__wrapped__", current)
    wrappers = [*wrappers, wrapper]

    @functools.wraps(original)
    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        def call(index: int, *a: Any, **kw: Any) -> Any:
            if index == len(wrappers):
                return original(self, *a, **kw)
            inner = functools.partial(call, index + 1)
            return wrappers[index](inner, self, *a, **kw)

        return call(0, *args, **kwargs)

    setattr(wrapped, _WRAPPED_MARKER, wrappers)
    setattr(owner, operation, wrapped)


def wrap_model_method(service: str, class_name: str, method: str, wrapper: Wrapper) -> None:
    """Like :func:`wrap_backend_operation`, for a model class of ``moto.<service>.models``.

    ``wrapper(original, instance, *args, **kwargs)``; e.g. ``Rule.send_to_targets`` of events.
    """
    import importlib

    models = importlib.import_module(f"moto.{service}.models")
    _wrap(getattr(models, class_name), method, wrapper)


def iter_backends(service: str) -> Iterator[tuple[str, str, Any]]:
    """``(account, region, backend)`` for each backend of ``service`` created so far."""
    yield from list(_backend_dict(service).iter_backends())


def _backend_dict(service: str) -> BackendDict:
    if service in _ADDON_BACKENDS:
        return _ADDON_BACKENDS[service]
    from moto.backends import get_backend

    return get_backend(service)  # type: ignore[call-overload]


# --- state ------------------------------------------------------------------------------------


def reset_state() -> None:
    """Forget every resource in every backend, moto's and the add-ons' (moto's reset API)."""
    BackendDict.reset()


_RESET_LISTENERS: list[Callable[[], None]] = []


def on_reset(listener: Callable[[], None]) -> None:
    """Run ``listener`` after every reset of moto's backends (``/moto-api/reset`` included), so
    records kept outside backends (delivery logs) do not outlive the resources they describe."""
    if listener not in _RESET_LISTENERS:
        _RESET_LISTENERS.append(listener)
    original = BackendDict.__dict__["reset"].__func__
    if getattr(original, _WRAPPED_MARKER, False):
        return

    def reset(cls: type[BackendDict]) -> None:
        original(cls)
        for reset_listener in list(_RESET_LISTENERS):
            reset_listener()

    setattr(reset, _WRAPPED_MARKER, True)
    BackendDict.reset = classmethod(reset)  # type: ignore[method-assign,assignment]


def live_backends() -> Iterator[tuple[str, str, str, BaseBackend]]:
    """``(service, account, region, backend)`` for every backend that has been created."""
    for backend_dict in list(BackendDict._instances):
        for account_id, region, region_backend in list(backend_dict.iter_backends()):
            yield backend_dict.service_name, account_id, region, region_backend


def restore_backend(service: str, account_id: str, region: str, saved: BaseBackend) -> None:
    """Put a backend saved by :func:`live_backends`' caller back in place."""
    backend_dict = _backend_dict(service)
    # dict.__setitem__: AccountSpecificBackend's own __getitem__ would build a fresh backend
    dict.__setitem__(backend_dict[account_id], region, saved)


# --- the WSGI application ----------------------------------------------------------------------

_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d+/(?P<region>[^/]+)/(?P<service>[^/]+)/")
NOT_IMPLEMENTED_STATUS = 501


def request_info(environ: dict[str, Any]) -> RequestInfo:
    scope = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return RequestInfo(
        signing_service=scope["service"].lower() if scope else None,
        region=scope["region"] if scope else None,
        target=environ.get("HTTP_X_AMZ_TARGET"),
        method=environ.get("REQUEST_METHOD", "GET"),
        path=environ.get("PATH_INFO", ""),
    )


class LocalCloudDispatcher(DomainDispatcherApplication):
    """moto's request dispatcher, plus add-ons, plus a clear error for anything unimplemented."""

    def __init__(self) -> None:
        super().__init__(create_backend_app)
        self._addon_apps: dict[str, Any] = {}
        self._addon_lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        path = environ.get("PATH_INFO", "")
        for prefix, route in _ROUTES.items():
            if path.startswith(prefix):
                return route(environ, start_response)
        info = request_info(environ)
        # read before any service consumes the body; moto's reader puts the body back
        form_action = self.get_action_from_body(self._get_body(environ))
        try:
            app = self._application_for(environ, info)
            if app is None:
                return _not_implemented(environ, start_response, info, form_action)
            return _unless_route_missing(app, environ, start_response, info)
        except NotImplementedError as error:
            operation = _operation_from_moto_error(error) or form_action
            return _not_implemented(environ, start_response, info, operation)

    def _application_for(self, environ: dict[str, Any], info: RequestInfo) -> Any:
        for addon in _ADDONS.values():
            if addon.claims(info):
                return self._cached_app(addon.name, lambda a=addon: _flask_app(a.name, a.url_paths))
        moto_service = self._moto_service(environ)
        if moto_service is None:
            return None
        if moto_service in _EXTENSIONS:
            return self._cached_app(
                moto_service,
                lambda: _flask_app(
                    moto_service,
                    _extended_url_paths(moto_service, served_responses_class(moto_service)),
                ),
            )
        return self.get_application(environ)

    def _cached_app(self, name: str, build: Callable[[], Any]) -> Any:
        with self._addon_lock:
            if name not in self._addon_apps:
                self._addon_apps[name] = build()
            return self._addon_apps[name]

    def _moto_service(self, environ: dict[str, Any]) -> str | None:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/moto-api") or path.startswith("/latest/"):
            return "moto_api"
        host = self.infer_service_region_host(environ, path)
        if host is None:  # unsigned and unrecognisable: moto treats it as S3 (presigned URLs)
            service, region = DEFAULT_SERVICE_REGION
            host = f"{service}.{region}.amazonaws.com"
        return self.get_backend_for_host(host)


def _unless_route_missing(
    app: Any, environ: dict[str, Any], start_response: Callable, info: RequestInfo
) -> Any:
    """Run ``app``; turn Flask's HTML 404 for an unrouted path into an AWS-shaped 501."""
    captured: dict[str, Any] = {}

    def capture(status: str, headers: list, exc_info: Any = None) -> Callable:
        captured.update(status=status, headers=headers)
        return lambda _data: None

    body = b"".join(app(environ, capture))
    content_type = dict((k.lower(), v) for k, v in captured["headers"]).get("content-type", "")
    is_html = content_type.startswith("text/html")
    if captured["status"].startswith("404") and is_html and body.lstrip().startswith(b"<!doctype"):
        return _not_implemented(environ, start_response, info, None)
    start_response(captured["status"], captured["headers"])
    return [body]


_MOTO_MISSING_ACTION = re.compile(r"The (?P<action>[a-z0-9_]+) action has not been implemented")


def _operation_from_moto_error(error: NotImplementedError) -> str | None:
    """moto names a missing operation in snake case: ``list_things`` -> ``ListThings``."""
    match = _MOTO_MISSING_ACTION.search(str(error))
    if match is None:
        return None
    return "".join(part.capitalize() for part in match["action"].split("_"))


def _operation_name(environ: dict[str, Any], info: RequestInfo, known: str | None) -> str:
    if known:
        return known
    if info.operation_from_target:
        return info.operation_from_target
    query_action = re.search(r"(?:^|&)Action=([A-Za-z0-9]+)", environ.get("QUERY_STRING", ""))
    if query_action:
        return query_action[1]
    return f"{info.method} {info.path}"


# Services whose protocol is rest-xml: their errors are a bare <Error> document.
_REST_XML_SERVICES = frozenset({"s3", "s3control", "route53", "cloudfront"})


def _error_protocol(environ: dict[str, Any], info: RequestInfo) -> str:
    """The error shape the caller's SDK parses: "json", "query" (XML) or "rest-xml"."""
    if info.signing_service in _REST_XML_SERVICES:
        return "rest-xml"
    is_form = environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
    if is_form or "Action=" in environ.get("QUERY_STRING", ""):
        return "query"
    return "json"  # the JSON and REST-JSON protocols, and anything unsigned


def not_implemented_message(service: str, operation: str) -> str:
    return f"sagestack local cloud does not implement {service}.{operation}"


def _service_name(info: RequestInfo) -> str:
    """The add-on's service when one claims the request (the Feature Store runtime is signed
    for ``sagemaker``), else the service the request was signed for."""
    for addon in _ADDONS.values():
        if addon.claims(info):
            return addon.name
    return info.signing_service or "unknown-service"


def _not_implemented(
    environ: dict[str, Any], start_response: Callable, info: RequestInfo, form_action: str | None
) -> list:
    message = not_implemented_message(
        _service_name(info), _operation_name(environ, info, form_action)
    )
    log.warning(message)
    protocol = _error_protocol(environ, info)
    if protocol == "json":
        body = json.dumps({"__type": "NotImplemented", "message": message}).encode()
        content_type = "application/x-amz-json-1.1"
    else:
        error = f"<Code>NotImplemented</Code><Message>{escape(message)}</Message>"
        if protocol == "query":
            error = f"<ErrorResponse><Error><Type>Sender</Type>{error}</Error></ErrorResponse>"
        else:
            error = f"<Error>{error}</Error>"
        body = error.encode()
        content_type = "text/xml"
    start_response(
        f"{NOT_IMPLEMENTED_STATUS} Not Implemented",
        [
            ("Content-Type", content_type),
            ("x-amzn-ErrorType", "NotImplemented"),
            ("Content-Length", str(len(body))),
        ],
    )
    return [body]


def request_handler() -> type:
    """moto's request handler for werkzeug's server (keeps S3 metadata headers' underscores)."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    return MotoRequestHandler


def service_names() -> list[str]:
    """Every service the endpoint answers: moto's backends and the add-ons."""
    from moto.backend_index import backend_url_patterns

    return sorted({name for name, _pattern in backend_url_patterns} | set(_ADDONS))


def policy_permission(policy: str, action: str, resource: str) -> Any:
    """moto's verdict (``PermissionResult``) on ``action`` over ``resource`` for a resource
    policy document, as moto evaluates it (statement conditions are not evaluated)."""
    from moto.iam.access_control import IAMPolicy

    return IAMPolicy(policy).is_action_permitted(action, resource)
