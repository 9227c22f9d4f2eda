"""pytest plugin: the local cloud for tests (registered in ``tests/conftest.py``).

- ``local_cloud`` (session): the endpoint. It is sagestack's own local cloud, started in-process
  on a free loopback port, unless ``AWS_ENDPOINT_URL`` was set before the session started: then the
  suite runs against that endpoint (real LocalStack, say) and starts nothing.
- ``fresh_local_cloud`` (function): the same endpoint with ``AWS_ENDPOINT_URL`` set for the one
  test, so plain ``boto3.client("s3")`` reaches it, and with every backend reset first (moto's reset
  API). Against an external endpoint nothing is reset: tests there must use unique names.

``AWS_ENDPOINT_URL`` is set per test, not per session, so tests of other layers that use moto's
in-process ``mock_aws`` in the same worker are never redirected to the server.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

ENDPOINT_ENV = "AWS_ENDPOINT_URL"
_USER_ENDPOINT = os.environ.get(ENDPOINT_ENV)  # read at import: before any fixture sets it


@dataclass(frozen=True)
class Endpoint:
    url: str
    is_sagestack: bool  # False when the suite runs against an endpoint the user named

    def reset(self) -> None:
        """Forget every resource (sagestack's local cloud only; LocalStack keeps its state)."""
        if self.is_sagestack:
            request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()


@pytest.fixture(scope="session")
def local_cloud() -> Iterator[Endpoint]:
    if _USER_ENDPOINT:
        yield Endpoint(url=_USER_ENDPOINT.rstrip("/"), is_sagestack=False)
        return
    from sagestack.localcloud.server import LocalCloud

    cloud = LocalCloud(port=0).start()
    try:
        yield Endpoint(url=cloud.url, is_sagestack=True)
    finally:
        cloud.stop()


@pytest.fixture
def fresh_local_cloud(local_cloud: Endpoint, monkeypatch: pytest.MonkeyPatch) -> Endpoint:
    local_cloud.reset()
    monkeypatch.setenv(ENDPOINT_ENV, local_cloud.url)
    return local_cloud
