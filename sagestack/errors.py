"""The base of every failure the user can fix; the command line shows its message alone."""

from __future__ import annotations


class SagestackError(Exception):
    """A known failure whose message says what to do next (no traceback without ``--debug``)."""


class EndpointUnreachableError(SagestackError):
    def __init__(self, endpoint: str, reason: str) -> None:
        self.endpoint = endpoint
        super().__init__(
            f"no local cloud answers at {endpoint} ({reason}); start one with "
            "`sagestack local up` (then export AWS_ENDPOINT_URL as it prints), or pass "
            "--endpoint URL"
        )
