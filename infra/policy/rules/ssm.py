"""SSM parameters: anything that looks like a secret is a SecureString, never a plain String
(whose value any principal with ssm:GetParameter reads in clear, and Pulumi keeps in state)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

PARAMETER = "aws:ssm/parameter:Parameter"
PLAIN_TYPES = frozenset({"String", "StringList"})
SECRET_NAME = re.compile(
    r"(password|passwd|secret|token|api[-_]?key|private[-_]?key|credential)", re.IGNORECASE
)
SECRET_VALUES = {
    "a private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "an AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "a URL with a password": re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"),
    "a password assignment": re.compile(r"\b(password|passwd|pwd)\s*[=:]", re.IGNORECASE),
}


def plaintext_secret_problems(props: Mapping[str, Any]) -> list[str]:
    kind = props.get("type")
    if kind not in PLAIN_TYPES:
        return []
    problems = []
    name = str(props.get("name") or "")
    if SECRET_NAME.search(name):
        problems.append(f"its name {name!r} says it holds a secret")
    value = props.get("value") if props.get("value") is not None else props.get("insecureValue")
    for what, pattern in SECRET_VALUES.items():
        if isinstance(value, str) and pattern.search(value):
            problems.append(f"its value looks like {what}")
    return [f"a {kind} parameter, but {problem}: use a SecureString" for problem in problems]
