"""Fuzzing the add-ons: requests built by hypothesis from botocore's service models, valid-shaped
and not, must never get a 500 or break the endpoint.

Each operation the add-ons serve or extend gets a few examples in ``make test``;
``SAGESTACK_FUZZ_EXAMPLES=500`` runs a longer search. Requests go through boto3 with its own
parameter validation off, so members of the wrong type and missing required members reach the
local cloud as an SDK in another language could send them.
"""

from __future__ import annotations

import os
import string

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("SAGESTACK_FUZZ_EXAMPLES", "4"))
LONG_RUN = "SAGESTACK_FUZZ_EXAMPLES" in os.environ  # explores anew; make test replays one draw

# (boto3 client name, operations): what the add-ons serve, extend or change
ADDON_OPERATIONS = {
    "sagemaker-featurestore-runtime": ["PutRecord", "GetRecord", "DeleteRecord", "BatchGetRecord"],
    "codeconnections": ["CreateConnection", "GetConnection", "ListConnections", "DeleteConnection"],
    "codebuild": ["CreateWebhook", "UpdateWebhook", "DeleteWebhook"],
    "sagemaker": [
        "ListPipelineExecutionSteps",
        "CreateMonitoringSchedule",
        "DescribeMonitoringSchedule",
        "DeleteModelPackageGroup",
        "DeleteModelPackage",
        "UpdateModelPackage",
    ],
    "events": ["PutRule", "PutTargets", "PutEvents", "TestEventPattern"],
    "sns": ["Publish", "Subscribe", "ConfirmSubscription", "CreateTopic"],
    "cloudwatch": ["PutMetricAlarm", "SetAlarmState", "PutMetricData", "DescribeAlarms"],
}
CASES = [(service, op) for service, ops in ADDON_OPERATIONS.items() for op in ops]
_TEXT = st.text(alphabet=string.ascii_letters + string.digits + "-_/:.{}\"' é", max_size=12)


def _value(shape, depth: int = 0) -> st.SearchStrategy:
    kind = shape.type_name
    if depth > 3:
        return st.none()
    if kind == "structure":
        members = {
            name: _value(member, depth + 1)
            for name, member in shape.members.items()
            if member.type_name not in ("blob",) or depth == 0
        }
        required = {n: s for n, s in members.items() if n in shape.required_members}
        optional = {n: s for n, s in members.items() if n not in shape.required_members}
        return st.fixed_dictionaries(required, optional=optional)
    if kind == "list":
        return st.lists(_value(shape.member, depth + 1), max_size=2)
    if kind == "map":
        return st.dictionaries(_TEXT, _value(shape.value, depth + 1), max_size=2)
    if kind == "string":
        return st.sampled_from(shape.enum) if shape.enum else _TEXT
    if kind in ("integer", "long"):
        return st.integers(-5, 100)
    if kind in ("float", "double"):
        return st.floats(-1e6, 1e6, allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.datetimes()
    if kind == "blob":
        return st.binary(max_size=8)
    return st.none()


def _wrong_type(value_strategy: st.SearchStrategy) -> st.SearchStrategy:
    """Replace one member with a value of another type, or drop all members."""
    junk = st.one_of(st.integers(), st.lists(st.integers(), max_size=2), st.booleans(), _TEXT)

    def spoil(params: dict, replacement, which: int) -> dict:
        if not params:
            return params
        name = sorted(params)[which % len(params)]
        return {**params, name: replacement}

    return st.builds(spoil, value_strategy, junk, st.integers(0, 50)) | st.just({})


@pytest.fixture(scope="module")
def clients(local_cloud):
    if not local_cloud.is_sagestack:
        pytest.skip("fuzzing sagestack's add-ons")
    config = Config(parameter_validation=False, retries={"max_attempts": 1})
    return {
        name: boto3.client(name, endpoint_url=local_cloud.url, config=config)
        for name in ADDON_OPERATIONS
    }


@pytest.mark.parametrize(("service", "operation"), CASES)
def test_no_request_to_an_add_on_gets_a_500(clients, local_cloud, service, operation):
    client = clients[service]
    shape = client.meta.service_model.operation_model(operation).input_shape
    method = getattr(client, _snake(operation))
    strategy = _value(shape)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not LONG_RUN,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.one_of(strategy, _wrong_type(strategy)))
    def one_request(params: dict) -> None:
        try:
            method(**params)
        except (BotoCoreError, TypeError, ValueError, AttributeError, KeyError):
            return  # botocore could not even serialise it
        except ClientError as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            assert status < 500 or status == 501, (params, error.response["Error"])

    one_request()
    health = boto3.client("sts", endpoint_url=local_cloud.url).get_caller_identity()
    assert health["Account"]


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
