"""CodeBuild webhook errors, one class per AWS error code."""

from sagestack.localcloud.moto import ServiceException


class InvalidInputException(ServiceException):
    code = "InvalidInputException"


class ResourceAlreadyExistsException(ServiceException):
    code = "ResourceAlreadyExistsException"


class ResourceNotFoundException(ServiceException):
    code = "ResourceNotFoundException"
