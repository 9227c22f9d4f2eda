"""Role trust beyond the account's own services: another account needs an external id or an
organization condition (the confused deputy); GitHub's OIDC provider needs a ``sub`` condition
(without one, any repository's workflow may assume the role)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from sagestack_infra.policy.rules.iam_documents import (
    PolicyDocumentError,
    Statement,
    condition_keys,
    parse_document,
)
from sagestack_infra.policy.rules.props import as_list, as_mapping

ACCOUNT_PRINCIPAL = re.compile(r"^(\d{12}|arn:aws[a-z-]*:(iam|sts)::\d{12}:.+)$")
ACCOUNT_CONDITION_KEYS = frozenset(
    key.lower()
    for key in ("sts:ExternalId", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:SourceOrgID")
)
GITHUB_OIDC = "token.actions.githubusercontent.com"
GITHUB_SUB = f"{GITHUB_OIDC}:sub"


def _trust_statements(props: Mapping[str, Any]) -> Iterator[Statement]:
    try:
        statements = parse_document(props.get("assumeRolePolicy"))
    except PolicyDocumentError:
        return  # iam-no-wildcard-actions reports a document that does not parse
    yield from (statement for statement in statements if statement.allows)


def cross_account_problems(props: Mapping[str, Any]) -> list[str]:
    problems = []
    for statement in _trust_statements(props):
        accounts = [
            str(value)
            for value in as_list(as_mapping(statement.principal).get("AWS"))
            if ACCOUNT_PRINCIPAL.match(str(value))
        ]
        if accounts and not ACCOUNT_CONDITION_KEYS & condition_keys(statement):
            problems.append(
                f"assume-role policy {statement.label} trusts {accounts} without an "
                "sts:ExternalId or aws:PrincipalOrgID condition (a trust within the account "
                "itself is waived per role)"
            )
    return problems


def github_oidc_problems(props: Mapping[str, Any]) -> list[str]:
    problems = []
    for statement in _trust_statements(props):
        federated = [str(v) for v in as_list(as_mapping(statement.principal).get("Federated"))]
        if not any(value.endswith(f"oidc-provider/{GITHUB_OIDC}") for value in federated):
            continue
        subjects = _condition_values(statement, GITHUB_SUB)
        if not subjects or any(subject.strip("*:/") in ("", "repo") for subject in subjects):
            problems.append(
                f"assume-role policy {statement.label} trusts GitHub's OIDC provider without a "
                f"{GITHUB_SUB} condition naming the repository (repo:<owner>/<repo>:...)"
            )
    return problems


def _condition_values(statement: Statement, key: str) -> list[str]:
    return [
        str(value)
        for block in statement.condition.values()
        for name, values in as_mapping(block).items()
        if name.lower() == key.lower()
        for value in as_list(values)
    ]
