"""The endpoint's WSGI application: moto's dispatcher, plus the add-ons and routes of
:mod:`.registry`, plus AWS-shaped errors where moto would answer a 404 page, a 500 or a
traceback."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from moto.moto_server.werkzeug_app import (
    DEFAULT_SERVICE_REGION,
    DomainDispatcherApplication,
    create_backend_app,
)

from sagestack.localcloud.moto.errors import not_implemented, operation_from_moto_error
from sagestack.localcloud.moto.registry import AUTHORIZERS, ROUTES, RequestInfo, claiming_addon
from sagestack.localcloud.moto.responses import (
    EXTENSIONS,
    extended_url_paths,
    flask_app,
    served_responses_class,
)

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
        for authorizer in AUTHORIZERS:
            refusal = authorizer(environ, info)
            if refusal is not None:
                return refusal(environ, start_response)
        # read before any service consumes the body; moto's reader puts the body back
        form_action = self.get_action_from_body(self._get_body(environ))
        try:
            app = self._application_for(environ, info)
            if app is None:
                return not_implemented(environ, start_response, info, form_action)
            return _unless_route_missing(app, environ, start_response, info)
        except NotImplementedError as error:
            operation = operation_from_moto_error(error) or form_action
            return not_implemented(environ, start_response, info, operation)

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


def request_handler() -> type:
    """moto's request handler for werkzeug's server (keeps S3 metadata headers' underscores)."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    return MotoRequestHandler
