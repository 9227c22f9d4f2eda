"""The endpoint's WSGI application: moto's dispatcher, plus the add-ons and routes of
:mod:`.registry`, plus AWS-shaped errors where moto would answer a 404 page, a 500 or a
traceback."""

from __future__ import annotations

import io
import logging
import re
import threading
from collections.abc import Callable
from typing import Any

from botocore.model import OperationNotFoundError
from moto.moto_server.werkzeug_app import (
    DEFAULT_SERVICE_REGION,
    DomainDispatcherApplication,
    create_backend_app,
)

from sagestack.localcloud.moto import request_checks
from sagestack.localcloud.moto.errors import aws_error, not_implemented, operation_from_moto_error
from sagestack.localcloud.moto.registry import AUTHORIZERS, ROUTES, RequestInfo, claiming_addon
from sagestack.localcloud.moto.responses import (
    EXTENSIONS,
    extended_url_paths,
    flask_app,
    served_responses_class,
)

log = logging.getLogger(__name__)

_BODY_KEY = "sagestack.body"
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d+/(?P<region>[^/]+)/(?P<service>[^/]+)/")


def request_info(environ: dict[str, Any]) -> RequestInfo:
    scope = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return RequestInfo(
        signing_service=scope["service"].lower() if scope else None,
        region=scope["region"] if scope else None,
        target=environ.get("HTTP_X_AMZ_TARGET"),
        method=environ.get("REQUEST_METHOD", "GET"),
        path=environ.get("PATH_INFO", ""),
    )


def read_body(environ: dict[str, Any]) -> bytes:
    """The request's body, read once; ``wsgi.input`` is put back so the service reads it too."""
    cached = environ.get(_BODY_KEY)
    if cached is not None:
        return cached
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    if stream is None:
        body = b""
    elif length > 0:
        body = stream.read(length)
    elif environ.get("wsgi.input_terminated"):  # chunked: werkzeug ends the stream for us
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ[_BODY_KEY] = body
    return body


class LocalCloudDispatcher(DomainDispatcherApplication):
    """moto's request dispatcher, plus add-ons, plus a clear error for anything unimplemented."""

    def __init__(self) -> None:
        super().__init__(create_backend_app)
        self._addon_apps: dict[str, Any] = {}
        self._addon_lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        path = environ.get("PATH_INFO", "")
        for prefix, route in ROUTES.items():
            if path.startswith(prefix):
                return route(environ, start_response)
        info = request_info(environ)
        body = read_body(environ)
        refused = request_checks.refusal(environ, info, body)
        if refused is not None:
            return _answer(refused, environ, start_response, info)
        for authorizer in AUTHORIZERS:
            denied = authorizer(environ, info)
            if denied is not None:
                return denied(environ, start_response)
        form_action = self.get_action_from_body(self._get_body(environ))
        try:
            app = self._application_for(environ, info)
            if app is None:
                return not_implemented(environ, start_response, info, form_action)
            return _unless_route_missing(app, environ, start_response, info)
        except NotImplementedError as error:
            operation = operation_from_moto_error(error) or form_action
            return not_implemented(environ, start_response, info, operation)
        except OperationNotFoundError:  # a query-protocol Action the service's model lacks
            return _answer(request_checks.INVALID_ACTION, environ, start_response, info)
        except Exception:  # noqa: BLE001 - a bug in a service: AWS's 500, never an HTML page
            log.exception("%s %s failed inside the local cloud", info.method, info.path)
            return _answer(request_checks.INTERNAL_FAILURE, environ, start_response, info)

    def _application_for(self, environ: dict[str, Any], info: RequestInfo) -> Any:
        addon = claiming_addon(info)
        if addon is not None:
            return self._cached_app(addon.name, lambda: flask_app(addon.name, addon.url_paths))
        moto_service = self._moto_service(environ)
        if moto_service is None:
            return None
        if moto_service in EXTENSIONS:
            return self._cached_app(
                moto_service,
                lambda: flask_app(
                    moto_service,
                    extended_url_paths(moto_service, served_responses_class(moto_service)),
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
        return not_implemented(environ, start_response, info, None)
    start_response(captured["status"], captured["headers"])
    return [body]


def _answer(
    refused: request_checks.Refusal,
    environ: dict[str, Any],
    start_response: Callable,
    info: RequestInfo,
) -> list:
    return aws_error(environ, start_response, info, refused.status, refused.code, refused.message)


def request_handler() -> type:
    """moto's request handler for werkzeug's server (keeps S3 metadata headers' underscores)."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    return MotoRequestHandler
