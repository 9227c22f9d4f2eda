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


class StateVersionError(LocalCloudError):
    def __init__(self, path: object, found: str | None, installed: str) -> None:
        super().__init__(
            f"{path} was saved by moto {found}, but moto {installed} is installed; delete the "
            "folder to start empty, or reinstall that moto version"
        )


class StateFileError(LocalCloudError):
    def __init__(self, path: object, cause: Exception) -> None:
        super().__init__(
            f"{path} is not a local cloud state file ({cause}); delete it to start empty"
        )
