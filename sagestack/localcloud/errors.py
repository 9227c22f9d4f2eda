"""Failures of the local cloud that the user can fix; each message says how."""

from __future__ import annotations

from sagestack.errors import SagestackError


class LocalCloudError(SagestackError):
    """Base of the local cloud's known failures (the command line shows them without traceback)."""


class PortInUseError(LocalCloudError):
    def __init__(self, host: str, port: int) -> None:
        super().__init__(
            f"port {port} on {host} is already in use (another local cloud or LocalStack?); "
            "stop it, or pick another port with --port (0 picks a free one)"
        )


class StatePermissionError(LocalCloudError):
    def __init__(self, path: object, mode: int, owner: int) -> None:
        super().__init__(
            f"{path} (mode {mode:o}, owner uid {owner}) could be written by other users, and "
            "the local cloud loads code-bearing state from it; make it yours alone "
            f"(chown, then chmod 700 for a folder, 600 for a file) or pick another --state-dir"
        )
