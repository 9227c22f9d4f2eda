"""KMS: customer managed symmetric keys rotate their key material."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

KEY = "aws:kms/key:Key"
# Only symmetric encryption keys can rotate automatically; asymmetric and HMAC keys cannot.
ROTATABLE_SPECS = frozenset({None, "", "SYMMETRIC_DEFAULT"})


def rotation_problems(props: Mapping[str, Any]) -> list[str]:
    spec = props.get("customerMasterKeySpec") or props.get("keySpec")
    if spec in ROTATABLE_SPECS and props.get("enableKeyRotation") is not True:
        return ["enableKeyRotation is not true: rotate the key material yearly (or sooner)"]
    return []
