"""Helpers shared by the local cloud's tests (the fixtures themselves are in the pytest plugin
sagestack.localcloud.testing.fixtures, registered in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def aws_error() -> Callable[[Callable[[], Any]], dict]:
    """``aws_error(lambda: client.call(...))``: the call must fail; returns botocore's response."""

    def failing(call: Callable[[], Any]) -> dict:
        with pytest.raises(ClientError) as error:
            call()
        return error.value.response

    return failing


@pytest.fixture(scope="session")
def model_archives(request, tmp_path_factory) -> dict[str, bytes]:
    """The endpoint tests' models, trained in the images' environments once and kept in
    pytest's cache folder until their scripts or the images change (in the session's temporary
    folder where the cache is off: ``-p no:cacheprovider``)."""
    from sagestack.localcloud.testing.models import archives_fingerprint, build_archives

    folder = f"endpoint-models-{archives_fingerprint()}"
    cache = getattr(request.config, "cache", None)
    return build_archives(cache.mkdir(folder) if cache else tmp_path_factory.mktemp(folder))


@pytest.fixture
def hosting(fresh_local_cloud, model_archives):
    """A reset local cloud holding the test models in S3 and an execution role for them."""
    if not fresh_local_cloud.is_sagestack:
        pytest.skip("endpoints are served by sagestack's local cloud")
    from hosting_support import Hosting

    return Hosting(model_archives).setup()


@pytest.fixture
def world(fresh_local_cloud):
    """A fresh local cloud with a bucket and a SageMaker execution role (pipeline_runs.World)."""
    from pipeline_runs import World

    return World()


@pytest.fixture
def in_process(local_cloud):
    """sagestack's local cloud in this process, every backend reset before and after (tests that
    start their own local cloud with a state folder beside the session's)."""
    if not local_cloud.is_sagestack:
        pytest.skip("state folders are sagestack's")
    from sagestack.localcloud import moto as moto_internals

    moto_internals.reset_state()
    yield
    moto_internals.reset_state()
