"""Extending moto's responses classes, and serving a moto-shaped ``urls.py`` as a Flask app.

An extension subclasses moto's responses class of a service and adds or overrides operations;
every route of the service that pointed at moto's class then points at the combined subclass.
"""

from __future__ import annotations

import importlib
from typing import Any

from moto.core.responses import BaseResponse
from moto.core.utils import convert_regex_to_flask_path, convert_to_flask_response
from moto.moto_server.werkzeug_app import HTTP_METHODS as _HTTP_METHODS
from moto.moto_server.werkzeug_app import BackendRequest

from sagestack.localcloud.moto.registry import Handler

# moto backend name -> the responses subclasses that serve it instead of moto's own class
EXTENSIONS: dict[str, list[type[BaseResponse]]] = {}


def extend_service(moto_service: str, responses_class: type[BaseResponse]) -> None:
    """Serve ``moto_service`` through ``responses_class``, a subclass of moto's responses class.

    The subclass inherits every operation moto implements and adds or overrides others; every
    route of the service that pointed at moto's class now points at the subclass. Several
    add-ons may extend one service: they are combined, the last registered first in line.
    """
    moto_class = moto_responses_class(moto_service)
    if not issubclass(responses_class, moto_class):
        raise TypeError(f"{responses_class.__name__} must subclass moto's {moto_class.__name__}")
    extensions = EXTENSIONS.setdefault(moto_service, [])
    if responses_class not in extensions:
        extensions.append(responses_class)


def served_responses_class(moto_service: str) -> type[BaseResponse]:
    """The class that answers ``moto_service``: moto's, or its extensions combined."""
    extensions = EXTENSIONS.get(moto_service)
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
    from moto.backends import ALT_SERVICE_NAMES

    module = ALT_SERVICE_NAMES.get(moto_service, moto_service).replace("-", "")
    return dict(importlib.import_module(f"moto.{module}.urls").url_paths)


def extended_url_paths(moto_service: str, responses_class: type[BaseResponse]) -> dict:
    moto_class = moto_responses_class(moto_service)
    paths = _moto_url_paths(moto_service)
    for path, handler in paths.items():
        if getattr(handler, "__self__", None) is moto_class:
            paths[path] = responses_class.dispatch
    return paths


def flask_app(name: str, url_paths: dict[str, Handler]) -> Any:
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
