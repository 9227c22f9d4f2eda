"""Credentials for a role, issued as the AWS service that runs the work assumes it.

CodeBuild, SageMaker jobs and endpoints call ``sts:AssumeRole`` on the role they were given; IAM
lets them only when the role's trust policy names their service principal. Executors call
:func:`issue_role_credentials` in-process for the same thing: the role must exist and trust the
service, and the session lives in moto's STS backend, so ``GetCallerIdentity`` with it answers
``arn:aws:sts::<account>:assumed-role/<role>/<session>`` and every request it signs is evaluated
against the role's policies (:mod:`.enforcement`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta

from sagestack.localcloud import clock
from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.errors import LocalCloudError
from sagestack.localcloud.identity import policies

STS_KEY_PREFIX = "ASIA"  # every temporary access key STS issues (AWS's and moto's)
DEFAULT_DURATION_SECONDS = 3600  # AssumeRole's default
MIN_DURATION_SECONDS = 900
MAX_DURATION_SECONDS = 43200
# RoleSessionName: 2-64 characters of [\w+=,.@-] (STS API reference)
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")

# How each service reports a role it could not assume; others get CodeBuild's shape.
_REFUSALS = {
    # CodeBuild's StartBuild/CreateProject message (and the build's phase context)
    "codebuild.amazonaws.com": "CodeBuild is not authorized to perform: sts:AssumeRole on {arn}",
    # a SageMaker job's FailureReason
    "sagemaker.amazonaws.com": "ClientError: SageMaker was unable to assume the role '{arn}'",
}


class RoleAssumptionError(LocalCloudError):
    """The service may not assume the role: it does not exist, or its trust policy does not
    name the service. ``message`` is the service's own wording; executors surface it where the
    service does (a build's phase context, a job's FailureReason)."""

    def __init__(self, service: str, role_arn: str, reason: str) -> None:
        self.service = service
        self.role_arn = role_arn
        self.reason = reason
        short = service.split(".")[0]
        template = _REFUSALS.get(
            service, short.capitalize() + " is not authorized to perform: sts:AssumeRole on {arn}"
        )
        self.message = template.format(arn=role_arn)
        super().__init__(f"{self.message} ({reason})")


@dataclass(frozen=True)
class Credentials:
    """What STS's AssumeRole answers: a key pair, its session token, when it expires (UTC)."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime


@dataclass(frozen=True)
class RoleSession:
    """Whose a set of credentials is: the role, the session, and the assumed-role ARN."""

    role_arn: str
    session_name: str
    account_id: str
    arn: str  # arn:aws:sts::<account>:assumed-role/<role>/<session>
    user_id: str  # <role id>:<session>, as aws:userid
    session_token: str
    expiration: datetime  # UTC

    def expired(self, now: datetime | None = None) -> bool:
        return (now or clock.current().now()) >= self.expiration


def issue_role_credentials(
    role_arn: str,
    session_name: str,
    *,
    service: str,
    account_id: str | None = None,
    region: str = "us-east-1",
    duration_seconds: int = DEFAULT_DURATION_SECONDS,
    source_arn: str | None = None,
) -> Credentials:
    """Credentials for ``role_arn`` as ``service`` (``codebuild.amazonaws.com``) assumes it.

    ``account_id`` is the account the service acts for (``aws:SourceAccount``; default: the
    role's), ``source_arn`` the resource it acts for (``aws:SourceArn``: the build project, the
    training job), both offered to the trust policy's conditions as AWS offers them.
    Raises :class:`RoleAssumptionError` when the role is missing or does not trust ``service``,
    and ``ValueError`` for a malformed session name or duration.
    """
    _check_request(role_arn, session_name, duration_seconds)
    role = moto_internals.find_role(role_arn)
    if role is None:
        raise RoleAssumptionError(service, role_arn, f"role {role_arn} does not exist in IAM")
    _check_trust(role, service, account_id or role.account_id, source_arn)
    expires = clock.current().now() + timedelta(seconds=duration_seconds)
    session = moto_internals.assume_role(
        role.arn,
        session_name,
        region,
        duration_seconds,
        expiration=expires.astimezone(UTC).replace(tzinfo=None),
    )
    return Credentials(
        access_key_id=session.access_key_id,
        secret_access_key=session.secret_access_key,
        session_token=session.session_token,
        expiration=expires,
    )


def _check_request(role_arn: str, session_name: str, duration_seconds: int) -> None:
    if moto_internals.account_of_role_arn(role_arn) is None:
        raise ValueError(
            f"role_arn {role_arn!r} is invalid: expected arn:aws:iam::<account>:role/<name>"
        )
    if not _SESSION_NAME.fullmatch(session_name):
        raise ValueError(
            f"session_name {session_name!r} is invalid: 2-64 characters of letters, digits "
            "and +=,.@_-"
        )
    if not MIN_DURATION_SECONDS <= duration_seconds <= MAX_DURATION_SECONDS:
        raise ValueError(
            f"duration_seconds {duration_seconds} is invalid: STS issues sessions of "
            f"{MIN_DURATION_SECONDS}-{MAX_DURATION_SECONDS} seconds"
        )


def _check_trust(
    role: moto_internals.RoleRecord, service: str, account_id: str, source_arn: str | None
) -> None:
    context = {"aws:sourceaccount": [account_id]}
    if source_arn:
        context["aws:sourcearn"] = [source_arn]
    request = policies.Request(
        action="sts:AssumeRole",
        resource=role.arn,
        principal=policies.Principal(service=service),
        context=context,
    )
    verdict = policies.evaluate(role.trust_policy, request, resource_policy=True)
    if verdict is not policies.Verdict.ALLOW:
        raise RoleAssumptionError(
            service, role.arn, f"the trust policy of {role.name} does not allow {service}"
        )


def role_of_access_key(access_key_id: str) -> RoleSession | None:
    """The role session an access key belongs to, or None for any other key (the admin key
    ``test``, a test's fake key): such requests are not evaluated."""
    if not access_key_id.startswith(STS_KEY_PREFIX):  # the admin key costs no lookup
        return None
    session = moto_internals.find_session(access_key_id)
    if session is None:
        return None
    shared = {f.name: getattr(session, f.name) for f in fields(RoleSession)}
    return RoleSession(**{**shared, "expiration": session.expiration.replace(tzinfo=UTC)})


def credential_environment(credentials: Credentials) -> dict[str, str]:
    """``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and ``AWS_SESSION_TOKEN`` for a
    subprocess that should act with ``credentials`` (merge into its environment)."""
    return {
        "AWS_ACCESS_KEY_ID": credentials.access_key_id,
        "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
        "AWS_SESSION_TOKEN": credentials.session_token,
    }
