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
