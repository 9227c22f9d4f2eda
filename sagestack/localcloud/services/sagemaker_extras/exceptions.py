"""SageMaker errors the extras raise, one class per AWS error code (as moto spells them)."""

from sagestack.localcloud.moto import ServiceException


class ResourceNotFound(ServiceException):
    code = "ResourceNotFound"


class ResourceInUse(ServiceException):
    code = "ResourceInUse"


class ValidationException(ServiceException):
    code = "ValidationException"


class ConflictException(ServiceException):
    code = "ConflictException"
