"""S3 bucket policies: statements with a Condition are left out of moto's verdict.

moto enforces a bucket policy's statements (for principal ``*``) but ignores their conditions,
so the platform's ``DenyInsecureTransport`` (deny ``s3:*`` when ``aws:SecureTransport`` is false)
would deny every object request. Until conditions are evaluated, a conditional statement is not
enforced at all; unconditional statements are enforced as before (LocalStack does not enforce
bucket policies by default either). The stored policy is returned unchanged.
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
