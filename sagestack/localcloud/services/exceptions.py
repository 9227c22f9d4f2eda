"""The AWS error codes the add-ons raise, one class per code, shared by every service.

moto serialises a :class:`ServiceException` in the protocol of the service that raised it, so
one class serves every service that uses the code.
"""

from __future__ import annotations

from sagestack.localcloud.moto import ServiceException


class ConflictException(ServiceException):
    code = "ConflictException"


class HierarchyLevelLimitExceededException(ServiceException):
    code = "HierarchyLevelLimitExceededException"


class InvalidEventPatternException(ServiceException):
    code = "InvalidEventPatternException"

    def __init__(self, reason: str):
        super().__init__(f"Event pattern is not valid. Reason: {reason}")


class InvalidInputException(ServiceException):
    code = "InvalidInputException"


class InvalidParameterException(ServiceException):
    code = "InvalidParameter"


class ModelError(ServiceException):
    """sagemaker-runtime: the model answered an error (HTTP 424 on the wire)."""

    code = "ModelError"

    def __init__(self, message: str, status: int, original_message: str, log_stream_arn: str):
        super().__init__(message)
        self.OriginalStatusCode = status
        self.OriginalMessage = original_message
        self.LogStreamArn = log_stream_arn


class ResourceAlreadyExistsException(ServiceException):
    code = "ResourceAlreadyExistsException"


class ResourceInUse(ServiceException):
    code = "ResourceInUse"


class ResourceNotFound(ServiceException):
    code = "ResourceNotFound"


class ResourceNotFoundException(ServiceException):
    code = "ResourceNotFoundException"


class ServiceUnavailable(ServiceException):
    code = "ServiceUnavailable"


class UnsupportedProviderTypeException(ServiceException):
    code = "UnsupportedProviderTypeException"


class ValidationError(ServiceException):
    code = "ValidationError"


class ValidationException(ServiceException):
    code = "ValidationException"
