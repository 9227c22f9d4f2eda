"""Pulumi's inputs as a boto3 request, driven by botocore's own model of the operation.

Inputs reach the applier the way the engine sends them: camelCase keys (``kmsMasterKeyId``) and
every number a float. AWS spells the same members ``KMSMasterKeyID`` and wants integers where its
model says integer, so each key is matched to the operation's member case-insensitively, numbers
are coerced to the member's type, and a key that matches nothing stops the deploy with its path
named: an input silently dropped would deploy something other than what the program asked for.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from botocore.model import Shape

from sagestack.deploy.errors import InputError


def build_request(
    client: Any,
    operation: str,
    inputs: Mapping[str, Any],
    *,
    renames: Mapping[str, str] | None = None,
    ignore: Collection[str] = (),
    member: str | None = None,
) -> dict[str, Any]:
    """The ``operation`` request for ``inputs`` (or, with ``member``, that member of it).

    ``renames`` maps a Pulumi key (at any depth) to the AWS member where the names differ by more
    than case (``buildTimeout`` -> ``timeoutInMinutes``); ``ignore`` names top-level inputs the
    handler deals with itself (tags, provider-only settings). ``member`` is for Pulumi resources
    that flatten one nested AWS structure into their own inputs (a bucket's lifecycle rules).
    """
    shape = client.meta.service_model.operation_model(operation).input_shape
    path = operation
    if member is not None:
        shape, path = shape.members[member], f"{operation}.{member}"
    top = {key: value for key, value in inputs.items() if key not in ignore}
    return _convert(shape, top, renames or {}, path)


def _convert(shape: Shape, value: Any, renames: Mapping[str, str], path: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, value, renames, path)
    if kind == "list":
        return [
            _convert(shape.member, item, renames, f"{path}[{i}]") for i, item in enumerate(value)
        ]
    if kind == "map":
        return {
            key: _convert(shape.value, item, renames, f"{path}.{key}")
            for key, item in value.items()
        }
    if kind in ("integer", "long"):
        return _integer(value, path)
    if kind in ("double", "float"):
        return float(value)
    if kind == "boolean":
        return bool(value)
    return value


def _structure(
    shape: Shape, value: Mapping[str, Any], renames: Mapping[str, str], path: str
) -> dict:
    members = {name.lower(): name for name in shape.members}
    request = {}
    for key, item in value.items():
        if item is None:
            continue
        member = renames.get(key) or members.get(key.lower())
        if member is None or member not in shape.members:
            raise InputError(
                f"input {path}.{key} has no counterpart in the AWS request "
                f"(expected one of {sorted(shape.members)})"
            )
        request[member] = _convert(shape.members[member], item, renames, f"{path}.{key}")
    return request


def _integer(value: Any, path: str) -> int:
    if isinstance(value, bool) or float(value) != int(value):
        raise InputError(f"input {path} is {value!r}; AWS expects a whole number")
    return int(value)


def tag_list(tags: Mapping[str, str] | None, key: str = "Key", value: str = "Value") -> list[dict]:
    """Pulumi's ``tags`` map as AWS's list of pairs (KMS spells them ``TagKey``/``TagValue``)."""
    return [{key: k, value: v} for k, v in sorted((tags or {}).items())]
