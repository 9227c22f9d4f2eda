"""Identity on the local cloud: executors act as their role, and IAM is enforced for them.

The interface executors use (stable; other modules of this package are internal):

- :func:`issue_role_credentials` ``(role_arn, session_name, *, service, account_id=None,
  region="us-east-1", duration_seconds=3600, source_arn=None) -> Credentials``: what
  ``sts:AssumeRole`` by ``service`` (``"codebuild.amazonaws.com"``, ``"sagemaker.amazonaws.com"``)
  answers. Raises :class:`RoleAssumptionError` (``.message`` in the service's wording) when the
  role does not exist or its trust policy does not name the service.
- :func:`role_of_access_key` ``(access_key_id) -> RoleSession | None``: whose credentials these
  are; None for the admin key and any key the local cloud's STS did not issue.
- :func:`credential_environment` ``(credentials) -> dict``: ``AWS_ACCESS_KEY_ID``,
  ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN`` for a subprocess.

Every request signed with issued credentials is evaluated against the role's policies (and the
resource's policy) before it reaches a service; any other request is not (docs/localcloud.md).
"""

from __future__ import annotations

from sagestack.localcloud.identity.credentials import (
    Credentials,
    RoleAssumptionError,
    RoleSession,
    credential_environment,
    issue_role_credentials,
    role_of_access_key,
)

__all__ = [
    "Credentials",
    "RoleAssumptionError",
    "RoleSession",
    "credential_environment",
    "issue_role_credentials",
    "role_of_access_key",
]
