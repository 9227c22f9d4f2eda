"""What an endpoint acts with: its model's execution role, assumed as SageMaker assumes it.

SageMaker downloads the model, writes capture files and logs, and gives the container
credentials, all as the model's ``ExecutionRoleArn``. The local cloud's identity package issues
those credentials (SageMaker's trust check and wording) and checks every request made with them.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config

from sagestack.localcloud import clock, identity
from sagestack.localcloud.executors import runtime

SERVICE_PRINCIPAL = "sagemaker.amazonaws.com"
SESSION_NAME = "SageMaker"
SESSION_SECONDS = 3600
_RENEW_BEFORE_SECONDS = 300
_CLIENT_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"})


class RoleNotAssumable(Exception):
    """SageMaker may not assume the role; the message is SageMaker's FailureReason."""


class RoleSession:
    """Credentials for one role, renewed before they expire by the local cloud's clock (which
    a test or the demo may move hours ahead); clients signed with them."""

    def __init__(self, role_arn: str, account_id: str, region: str, source_arn: str):
        self.role_arn, self.account_id, self.region = role_arn, account_id, region
        self.source_arn = source_arn
        self._lock = threading.Lock()
        self._environment: dict[str, str] = {}
        self._clients: dict[tuple[str, str], Any] = {}
        self._renew_at: datetime | None = None
        self.environment()  # a role SageMaker may not assume fails here, before anything runs

    def environment(self) -> dict[str, str]:
        """``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` (and ``AWS_SESSION_TOKEN``)."""
        with self._lock:
            now = clock.current().now()
            if self._renew_at is None or now >= self._renew_at:
                self._environment = self._issue()
                lifetime = timedelta(seconds=SESSION_SECONDS - _RENEW_BEFORE_SECONDS)
                self._renew_at = now + lifetime
            return dict(self._environment)

    def _issue(self) -> dict[str, str]:
        try:
            credentials = identity.issue_role_credentials(
                self.role_arn,
                SESSION_NAME,
                service=SERVICE_PRINCIPAL,
                account_id=self.account_id,
                region=self.region,
                duration_seconds=SESSION_SECONDS,
                source_arn=self.source_arn,
            )
        except identity.RoleAssumptionError as error:
            raise RoleNotAssumable(error.message) from error
        except ValueError as error:  # a malformed role ARN
            raise RoleNotAssumable(f"ClientError: {error}") from error
        return identity.credential_environment(credentials)

    def client(self, service: str) -> Any:
        """A client of ``service`` on the local cloud, signed with the role's credentials."""
        environment = self.environment()
        key = (service, environment["AWS_ACCESS_KEY_ID"])
        with self._lock:
            if key not in self._clients:
                self._clients = {k: c for k, c in self._clients.items() if k[0] != service}
                self._clients[key] = self._new_client(service, environment)
            return self._clients[key]

    def _new_client(self, service: str, environment: dict[str, str]) -> Any:
        return boto3.session.Session(
            aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=environment.get("AWS_SESSION_TOKEN"),
            region_name=self.region,
        ).client(service, endpoint_url=runtime.current().endpoint_url, config=_CLIENT_CONFIG)
