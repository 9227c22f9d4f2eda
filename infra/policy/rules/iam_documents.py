"""IAM policy documents, parsed into statements that the IAM and S3 rules can reason about."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sagestack_infra.policy.rules.props import as_list, as_mapping, json_or_mapping

# Condition keys that pin a statement to known callers, so S3 does not count it as public
# ("The meaning of 'public'" in the S3 user guide); a trust policy pinned by them is not
# open to every AWS account either.
NON_PUBLIC_CONDITION_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOwner",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:PrincipalOrgID",
        "aws:SourceOrgID",
        "aws:userid",
    )
)


class PolicyDocumentError(ValueError):
    """A policy input that is not an IAM policy document."""


@dataclass(frozen=True)
class Statement:
    """One statement, with every one-or-many element normalised to a tuple of strings."""

    label: str  # its Sid, or its position: what a violation message names
    effect: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    principal: Any = None
    not_principal: Any = None
    condition: Mapping[str, Any] = field(default_factory=dict)

    @property
    def allows(self) -> bool:
        # Judged as granting unless it plainly denies: a misspelt or differently cased Effect
        # must not hide a wildcard from the pack (AWS refuses it, or reads it as Allow).
        return self.effect.lower() != "deny"


def parse_document(document: Any) -> list[Statement]:
    """The statements of ``document`` (JSON text or a mapping)."""
    parsed = json_or_mapping(document)
    if parsed is None:
        raise PolicyDocumentError(f"{_abbreviate(document)!r} is not a JSON policy document")
    return [_statement(i, raw) for i, raw in enumerate(as_list(parsed.get("Statement")))]


def _statement(index: int, raw: Any) -> Statement:
    if not isinstance(raw, Mapping):
        raise PolicyDocumentError(f"statement {index} is {_abbreviate(raw)!r}, not an object")
    return Statement(
        label=f"statement {raw['Sid']!r}" if raw.get("Sid") else f"statement {index}",
        effect=str(raw.get("Effect", "")),
        actions=_strings(raw.get("Action")),
        not_actions=_strings(raw.get("NotAction")),
        resources=_strings(raw.get("Resource")),
        not_resources=_strings(raw.get("NotResource")),
        principal=raw.get("Principal"),
        not_principal=raw.get("NotPrincipal"),
        condition=as_mapping(raw.get("Condition")),
    )


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in as_list(value))


def is_wildcard_action(action: str) -> bool:
    """An action with a wildcard anywhere: ``*``, ``s3:*``, but also ``s3:Get*`` or
    ``s3:*Object``, which grant every operation AWS adds under that pattern later."""
    return "*" in action or "?" in action


def is_wildcard_resource(resource: str) -> bool:
    """``*``, or an ARN whose resource part names nothing but wildcards (``arn:aws:s3:::*``,
    ``arn:aws:s3:::*/*``): every resource of the service."""
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    return len(parts) == 6 and parts[0] == "arn" and not parts[5].strip("*?/:")


def condition_keys(statement: Statement) -> set[str]:
    """The (lower-cased) condition keys a statement tests, whatever the operators."""
    return {key.lower() for block in statement.condition.values() for key in as_mapping(block)}


def iter_principals(principal: Any) -> Iterator[str]:
    """Every principal value: ``"*"`` itself, or the values of ``{"AWS": ..., "Service": ...}``."""
    if isinstance(principal, str):
        yield principal
        return
    for values in as_mapping(principal).values():
        yield from (str(value) for value in as_list(values))


def _abbreviate(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def reaches_anyone(statement: Statement) -> str:
    """How an Allow statement reaches any caller ("principal '*'", or everyone but a
    NotPrincipal list) when no condition pins the caller to fixed values; "" otherwise."""
    if not statement.allows or _pins_caller(statement.condition):
        return ""
    return _everyone(statement)


def _everyone(statement: Statement) -> str:
    if statement.not_principal is not None:
        return f"everyone but NotPrincipal {statement.not_principal!r}"
    return "principal '*'" if "*" in iter_principals(statement.principal) else ""


def _pins_caller(condition: Mapping[str, Any]) -> bool:
    # S3 counts a condition as pinning only with fixed values: a wildcard or a policy variable
    # ("aws:SourceArn": "*") matches any caller, so the statement stays public.
    return any(
        key.lower() in NON_PUBLIC_CONDITION_KEYS and _fixed(values)
        for block in condition.values()
        for key, values in as_mapping(block).items()
    )


def _fixed(values: Any) -> bool:
    texts = [str(value) for value in as_list(values)]
    return bool(texts) and not any(c in text for text in texts for c in ("*", "?", "${"))
