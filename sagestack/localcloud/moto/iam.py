"""moto's IAM policy evaluation, as the add-ons use it."""

from __future__ import annotations

from typing import Any


def policy_permission(policy: str, action: str, resource: str) -> Any:
    """moto's verdict (``PermissionResult``) on ``action`` over ``resource`` for a resource
    policy document, as moto evaluates it (statement conditions are not evaluated)."""
    from moto.iam.access_control import IAMPolicy

    return IAMPolicy(policy).is_action_permitted(action, resource)
