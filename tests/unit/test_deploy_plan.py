"""The applier's plan: finding a registered resource by type and name, a bad config refused as a
deploy error, and two resources registered under one type and name refused."""

from __future__ import annotations

import pytest

from sagestack.deploy.errors import DeployError
from sagestack.deploy.plan import Plan, check_deployable, make_plan
from sagestack_infra.program_runner import ProgramRun, RegisteredResource

BUCKET, TOPIC = "aws:s3/bucket:Bucket", "aws:sns/topic:Topic"


def _resource(type_token: str, name: str) -> RegisteredResource:
    return RegisteredResource(
        type=type_token,
        name=name,
        urn=f"urn:pulumi:dev::sagestack::{type_token}::{name}",
        inputs={},
        outputs={},
        parent="",
        deps=(),
    )


@pytest.mark.parametrize(
    ("order", "wanted"),
    [((BUCKET, TOPIC), TOPIC), ((TOPIC, BUCKET), BUCKET)],
)
def test_lookup_finds_the_resource_of_that_type_and_name_whatever_comes_first(order, wanted):
    plan = Plan(stack="dev", resources=tuple(_resource(t, "shared") for t in order))
    assert plan.lookup(wanted, "shared").type == wanted


def test_lookup_of_a_resource_never_registered_names_it():
    plan = Plan(stack="dev", resources=(_resource(BUCKET, "artifacts"),))
    with pytest.raises(DeployError, match="aws:s3/bucket:Bucket logs was not registered"):
        plan.lookup(BUCKET, "logs")


def test_an_invalid_config_is_a_deploy_error_naming_the_stack():
    with pytest.raises(DeployError, match="stack dev: the config is invalid"):
        make_plan("dev", {"sagestack:environment": "qa"})


def test_two_resources_registered_under_one_type_and_name_are_refused():
    run = ProgramRun(
        stack="dev", resources=(_resource(TOPIC, "oncall"), _resource(TOPIC, "oncall"))
    )
    with pytest.raises(DeployError, match="two resources are registered as aws:sns/topic:Topic"):
        check_deployable(run)
