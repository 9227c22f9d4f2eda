"""EventBridge errors the add-on raises, one class per AWS error code."""

from __future__ import annotations

from sagestack.localcloud.moto import ServiceException


class InvalidEventPatternException(ServiceException):
    code = "InvalidEventPatternException"

    def __init__(self, reason: str):
        super().__init__(f"Event pattern is not valid. Reason: {reason}")


class ValidationException(ServiceException):
    code = "ValidationException"
