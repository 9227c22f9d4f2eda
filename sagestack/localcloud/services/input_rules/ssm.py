"""SSM parameters: AWS's rules on names and value sizes, from "Requirements and constraints for
parameter names" and the tier quotas in the Systems Manager User Guide
(https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html,
https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html)."""

from __future__ import annotations

import re
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.exceptions import (
    HierarchyLevelLimitExceededException,
    ValidationException,
)

STANDARD_VALUE_LIMIT = 4096
ADVANCED_VALUE_LIMIT = 8192
NAME_LIMIT = 2048
HIERARCHY_LIMIT = 15
_NAME_CHARACTERS = re.compile(r"[a-zA-Z0-9_.\-/]+")
_INVALID_NAME = (
    'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as '
    "a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as "
    "a mix of letters, numbers and the following 3 symbols .-_"
)


def checked_put_parameter(original: Any, backend: Any, *args: Any, **kwargs: Any) -> Any:
    given = moto_internals.call_arguments(backend, "put_parameter", args, kwargs)
    check_name(given["name"] or "")
    check_value(given["value"] or "", given["tier"])
    return original(*args, **kwargs)


def check_name(name: str) -> None:
    if len(name) > NAME_LIMIT:
        raise ValidationException(
            f"1 validation error detected: Value '{name[:40]}...' at 'name' failed to satisfy "
            f"constraint: Member must have length less than or equal to {NAME_LIMIT}"
        )
    segments = name.split("/")
    if not _NAME_CHARACTERS.fullmatch(name) or any(s in (".", "..") for s in segments):
        raise ValidationException(_INVALID_NAME)
    if "/" in name and not name.startswith("/"):
        raise ValidationException("Parameter name must be a fully qualified name.")
    if len(segments) - 1 > HIERARCHY_LIMIT:
        raise HierarchyLevelLimitExceededException(
            f"A hierarchy can have a maximum of {HIERARCHY_LIMIT} levels."
        )


def check_value(value: str, tier: str | None) -> None:
    limit = STANDARD_VALUE_LIMIT if tier in (None, "Standard") else ADVANCED_VALUE_LIMIT
    if len(value) <= limit:
        return
    if limit == STANDARD_VALUE_LIMIT and len(value) <= ADVANCED_VALUE_LIMIT:
        raise ValidationException(
            f"Standard tier parameters support a maximum parameter value of "
            f"{STANDARD_VALUE_LIMIT} characters. To create a larger parameter value, upgrade the "
            "parameter to use the advanced-parameter tier."
        )
    raise ValidationException(
        "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must "
        f"have length less than or equal to {ADVANCED_VALUE_LIMIT}"
    )
