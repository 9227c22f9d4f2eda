"""SNS errors the add-on raises, one class per AWS error code."""

from __future__ import annotations

from sagestack.localcloud.moto import ServiceException


class InvalidParameterException(ServiceException):
    code = "InvalidParameter"
