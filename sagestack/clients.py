"""boto3 clients for one AWS endpoint (the local cloud, LocalStack or AWS), and a health check."""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.request
from typing import Any

import boto3
from botocore.config import Config

from sagestack import contract
from sagestack.errors import EndpointUnreachableError, SagestackError

DEFAULT_ENDPOINT = "http://localhost:4566"  # `sagestack local up`'s default port, as LocalStack's
_CLIENT_CONFIG = Config(
    retries={"max_attempts": 2, "mode": "standard"}, s3={"addressing_style": "path"}
)


def endpoint_from_environment(explicit: str | None = None) -> str:
    """``explicit`` (``--endpoint``), else ``AWS_ENDPOINT_URL``, else the default local port."""
    return (explicit or os.environ.get("AWS_ENDPOINT_URL") or DEFAULT_ENDPOINT).rstrip("/")


def check_reachable(endpoint: str, timeout: float = 3.0) -> dict[str, Any]:
    """The endpoint's health document; raises naming how to start a local cloud if none answers."""
    try:
        with urllib.request.urlopen(
            f"{endpoint}{contract.LOCAL_HEALTH_PATH}", timeout=timeout
        ) as response:
            return json.loads(response.read() or b"{}")
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise EndpointUnreachableError(endpoint, str(getattr(error, "reason", error))) from error


class AwsClients:
    """boto3 clients for one endpoint and region, created once each (thread-safe: the Pulumi
    runtime registers independent resources concurrently)."""

    def __init__(
        self, endpoint: str, session: boto3.Session | None = None, region: str | None = None
    ):
        self.endpoint = endpoint
        self.session = session or _session(region)
        self.region = region or self.session.region_name or "us-east-1"
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._account_id: str | None = None

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self.session.client(
                    service,
                    endpoint_url=self.endpoint,
                    region_name=self.region,
                    config=_CLIENT_CONFIG,
                )
            return self._clients[service]

    @property
    def account_id(self) -> str:
        if self._account_id is None:
            self._account_id = self.client("sts").get_caller_identity()["Account"]
        return self._account_id

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:aws:{service}:{region}:{self.account_id}:{resource}"


def _session(region: str | None) -> boto3.Session:
    """A session with the caller's credentials, or LocalStack's test ones when there are none."""
    session = boto3.Session(region_name=region)
    if session.get_credentials() is None:
        session = boto3.Session(
            region_name=region,
            aws_access_key_id=contract.LOCAL_ACCESS_KEY_ID,
            aws_secret_access_key=contract.LOCAL_SECRET_ACCESS_KEY,
        )
    return session


def local_repos_request(endpoint: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST ``body`` to the local cloud's repository route (``sagestack local repo ...``)."""
    request = urllib.request.Request(
        f"{endpoint}{contract.LOCAL_REPOS_ROUTE}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            message = json.loads(error.read()).get("message", "")
        except ValueError:
            message = ""
        raise SagestackError(message or f"the local cloud answered {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        raise EndpointUnreachableError(endpoint, str(getattr(error, "reason", error))) from error
