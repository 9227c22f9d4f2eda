"""Only the user's own programs reach the local cloud: a WSGI middleware around the endpoint.

A web page the user visits can send requests to ``127.0.0.1:4566`` too. Two checks stop it, as
LocalStack's DNS-rebinding protection does:

- the ``Host`` header must name the loopback (``localhost``, ``*.localhost``, ``127.x.x.x``,
  ``[::1]``) or a name given with ``--allow-host``: a page on ``evil.example`` whose name was
  rebound to 127.0.0.1 still sends ``Host: evil.example``, and gets a 403;
- a request carrying an ``Origin`` (only browsers send one) must come from a loopback origin or
  one given with ``--allow-origin``: a page elsewhere gets a 403 even for requests a browser
  sends without a preflight (a form POST creates resources without reading the answer), and
  CORS headers are only ever sent back to an allowed origin.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from sagestack.localcloud import moto as moto_internals

FORBIDDEN = 403


def is_loopback_name(host: str) -> bool:
    """``host`` (no port) names this machine: ``localhost``, ``*.localhost`` or a loopback IP."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host_without_port(host_header: str) -> str:
    if host_header.startswith("["):  # [::1]:4566
        return host_header[: host_header.find("]") + 1]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


class HostGuard:
    """Refuse requests from anywhere but the user's own programs (see the module's docstring)."""

    def __init__(
        self,
        app: Callable[..., Any],
        allowed_hosts: Iterable[str] = (),
        allowed_origins: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.allowed_hosts = frozenset(h.lower().rstrip(".") for h in allowed_hosts)
        self.allowed_origins = frozenset(o.lower().rstrip("/") for o in allowed_origins)

    def host_allowed(self, host_header: str | None) -> bool:
        if host_header is None:  # HTTP/1.0 clients; no browser omits it
            return True
        host = _host_without_port(host_header.strip()).lower().rstrip(".")
        return is_loopback_name(host) or host in self.allowed_hosts

    def origin_allowed(self, origin: str) -> bool:
        origin = origin.strip().lower().rstrip("/")
        if origin in self.allowed_origins:
            return True
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and is_loopback_name(parts.hostname or "")

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        host = environ.get("HTTP_HOST")
        if not self.host_allowed(host):
            return self._refuse(
                environ,
                start_response,
                f"Host {host!r} is not a loopback name; the local cloud answers only "
                "localhost, *.localhost, 127.0.0.1 and [::1] (add names with --allow-host)",
            )
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None and not self.origin_allowed(origin):
            return self._refuse(
                environ,
                start_response,
                f"Origin {origin!r} is not a loopback origin; the local cloud serves web pages "
                "only from this machine (add origins with --allow-origin)",
            )
        return self.app(environ, start_response)

    def _refuse(self, environ: dict[str, Any], start_response: Callable, message: str) -> list:
        info = moto_internals.request_info(environ)
        return moto_internals.aws_error(
            environ, start_response, info, FORBIDDEN, "AccessDeniedException", message
        )
