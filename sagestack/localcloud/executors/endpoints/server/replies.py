"""What a handler answers one invocation with, and the error pages the containers' servers send."""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass, field

# Werkzeug 0.15's page for an unhandled exception (the scikit-learn container runs Flask on it);
# SageMaker quotes it inside ModelError messages.
WERKZEUG_500_PAGE = (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n'
    "<title>500 Internal Server Error</title>\n"
    "<h1>Internal Server Error</h1>\n"
    "<p>The server encountered an internal error and was unable to complete your request. "
    "Either the server is overloaded or there is an error in the application.</p>\n"
)


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "text/plain"
    headers: dict[str, str] = field(default_factory=dict)


def werkzeug_error() -> Reply:
    return Reply(500, WERKZEUG_500_PAGE.encode(), "text/html")


def json_error(status: int, error: BaseException, trace: str) -> Reply:
    """sagemaker-containers' error response for a format it cannot read (415) or write (406)."""
    body = {"error": type(error).__name__, "error-message": str(error), "stack-trace": trace}
    return Reply(status, json.dumps(body).encode(), "application/json")


def toolkit_error(status: int, message: str) -> Reply:
    """The inference toolkit's (Multi Model Server) error: the message, then the traceback."""
    return Reply(status, f"{message}\n{traceback.format_exc()}".encode(), "text/plain")
