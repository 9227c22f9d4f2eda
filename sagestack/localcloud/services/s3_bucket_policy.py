"""S3 bucket policies in moto's own check: statements with a Condition are left out.

Requests signed with role credentials have the bucket policy evaluated in full, conditions and
principals included, before they reach S3 (:mod:`sagestack.localcloud.identity.decision`). moto
then checks every request again, admin-signed ones too, against the statements for principal
``*`` but ignoring their conditions, so the platform's ``DenyInsecureTransport`` (deny ``s3:*``
when ``aws:SecureTransport`` is false) would deny every object request. Here moto's check skips
conditional statements: admin-signed requests keep today's behaviour (unconditional statements
enforced, as LocalStack does not enforce bucket policies by default either), and role-signed
ones lose nothing, having passed the full evaluation already. The stored policy is unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from sagestack.localcloud import moto as moto_internals


def without_conditional_statements(policy: bytes | str) -> str:
    document = json.loads(policy)
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    document["Statement"] = [s for s in statements if "Condition" not in s]
    return json.dumps(document)


def _permission_without_conditions(original: Any, bucket: Any, action: str, resource: str) -> Any:
    if bucket.policy is None:
        return original(action, resource)
    policy = without_conditional_statements(bucket.policy)
    return moto_internals.policy_permission(policy, action, resource)


def install() -> None:
    moto_internals.wrap_model_method(
        "s3", "FakeBucket", "get_permission", _permission_without_conditions
    )
