"""The Pulumi CLI's exit codes (pulumi.com/docs/iac/cli/exit-codes), and the error carrying one."""

from __future__ import annotations

SUCCESS = 0
GENERIC = 1  # the program raised, or anything not below
CONFIG = 2  # bad arguments or configuration; --yes missing in non-interactive mode
AUTH = 3  # no backend logged in, or one that cannot be reached
RESOURCE = 4  # a resource's create, update or delete failed
POLICY = 5  # the policy pack refused the stack
STACK_NOT_FOUND = 6  # no such stack, or none selected


class CliError(Exception):
    """A failure the command reports as ``error: <message>`` and exits with ``code``."""

    def __init__(self, message: str, code: int = GENERIC):
        super().__init__(message)
        self.code = code
