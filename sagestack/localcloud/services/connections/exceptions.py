"""CodeConnections / CodeStar Connections errors, one class per AWS error code."""

from sagestack.localcloud.moto import ServiceException


class InvalidInputException(ServiceException):
    code = "InvalidInputException"


class ResourceNotFoundException(ServiceException):
    code = "ResourceNotFoundException"


class UnsupportedProviderTypeException(ServiceException):
    code = "UnsupportedProviderTypeException"


class ValidationException(ServiceException):
    code = "ValidationException"
