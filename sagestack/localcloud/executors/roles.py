"""Acting as a role: credentials SageMaker's executors get for a RoleArn, and boto3 clients of
the local cloud signed with them.

SageMaker assumes a job's RoleArn to read its inputs, write its outputs and logs, and hands the
same credentials to the job's container; a pipeline's own calls (creating jobs, registering
models) are made as the pipeline's RoleArn. Requests signed with such credentials are checked
against the role's policies by the local cloud (:mod:`sagestack.localcloud.identity`).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from sagestack.localcloud import identity
from sagestack.localcloud.executors import runtime

SERVICE = "sagemaker.amazonaws.com"
# the executor polls and retries itself; botocore's own retries would only hide a throttle
_CLIENT_CONFIG = Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"})
_SESSION_NAME_CHARACTERS = re.compile(r"[^\w+=,.@-]")


class RoleUnavailableError(RuntimeError):
    """SageMaker cannot act as the role; ``message`` is the service's wording."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RoleSession:
    """A role's credentials and the local cloud's clients signed with them."""

    role_arn: str
    region: str
    environment: dict[str, str]
    """``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN`` for a process."""
    _clients: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = _client(
                    service,
                    endpoint_url=runtime.current().endpoint_url,
                    region_name=self.region,
                    aws_access_key_id=self.environment["AWS_ACCESS_KEY_ID"],
                    aws_secret_access_key=self.environment["AWS_SECRET_ACCESS_KEY"],
                    aws_session_token=self.environment["AWS_SESSION_TOKEN"],
                    config=_CLIENT_CONFIG,
                )
            return self._clients[service]


# One session for every role's clients (credentials are given per client): a session caches
# the service models it loaded, so a job's clients cost milliseconds instead of a parse each.
_SESSION = boto3.session.Session()
_SESSION_LOCK = threading.Lock()


def _client(service: str, **arguments: Any) -> Any:
    with _SESSION_LOCK:  # botocore sessions are not safe to create clients from concurrently
        return _SESSION.client(service, **arguments)


def session_name(text: str) -> str:
    """A valid RoleSessionName (2-64 of [\\w+=,.@-]) made from a job or execution name."""
    cleaned = _SESSION_NAME_CHARACTERS.sub("-", text)[:64]
    return cleaned if len(cleaned) >= 2 else f"{cleaned}-sagemaker"


def assume(role_arn: str, name: str, account_id: str, region: str, source_arn: str) -> RoleSession:
    """Credentials for ``role_arn`` as SageMaker assumes it for ``source_arn`` (a job, an
    execution); raises :class:`RoleUnavailableError` in SageMaker's wording."""
    try:
        credentials = identity.issue_role_credentials(
            role_arn,
            session_name(name),
            service=SERVICE,
            account_id=account_id,
            region=region,
            source_arn=source_arn,
        )
    except identity.RoleAssumptionError as error:
        raise RoleUnavailableError(error.message) from error
    except ValueError as error:
        raise RoleUnavailableError(f"ClientError: {error}") from error
    return RoleSession(role_arn, region, identity.credential_environment(credentials))
