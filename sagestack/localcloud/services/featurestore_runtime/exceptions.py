"""SageMaker Feature Store runtime errors, one class per AWS error code."""

from sagestack.localcloud.moto import ServiceException


class ResourceNotFound(ServiceException):
    code = "ResourceNotFound"


class ValidationError(ServiceException):
    code = "ValidationError"
