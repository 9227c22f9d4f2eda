"""The applier on a small program: what it creates, re-deploys, updates, deletes and refuses.

A small program keeps these fast; tests/localcloud/test_deploy_platform.py deploys the real one.
"""

from __future__ import annotations

import json
from collections import Counter

import boto3
import pulumi_aws as aws
import pytest

from sagestack.deploy import deploy
from sagestack.deploy.errors import (
    DeployError,
    ResourceFailedError,
    UnmappedTypesError,
)
from sagestack.deploy.progress import Progress
from sagestack.deploy.state import DeployState, state_file
from sagestack.errors import EndpointUnreachableError

STACK = "unit"
ASSUME_SAGEMAKER = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def small_platform(projects=("alpha", "beta"), value_suffix=""):
    """A key, and per project a role with an inline policy naming the key and a parameter
    holding the role's ARN: each project's resources depend on the shared key."""

    def program() -> None:
        key = aws.kms.Key("key", description="unit key", deletion_window_in_days=7)
        for project in projects:
            role = aws.iam.Role(
                f"{project}-role", name=f"unit-{project}", assume_role_policy=ASSUME_SAGEMAKER
            )
            aws.iam.RolePolicy(
                f"{project}-policy",
                role=role.name,
                policy=key.arn.apply(
                    lambda arn: json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [arn]}
                            ],
                        }
                    )
                ),
            )
            aws.ssm.Parameter(
                f"{project}-role-arn",
                name=f"/unit/{project}/role-arn",
                type="String",
                value=role.arn.apply(lambda arn: arn + value_suffix),
            )

    return program


# What a no-change re-deploy may ask the cloud: the program's account lookup, and one look-up per
# common type that the state still matches the cloud (sagestack.deploy.refresh).
READ_ONLY_CALLS = {
    "GetCallerIdentity",
    "DescribeKey",
    "HeadBucket",
    "GetRole",
    "GetParameter",
    "GetTopicAttributes",
}


class CallCounter:
    """Every AWS operation the applier's clients make, by name."""

    def __init__(self) -> None:
        self.session = boto3.Session(region_name="us-east-1")
        self.calls: Counter[str] = Counter()
        self.session.events.register("before-call", self._count)

    def _count(self, model, **_kwargs) -> None:
        self.calls[model.name] += 1


def run(endpoint, state_dir, program, session=None, stream=None):
    return deploy(
        STACK,
        {},
        endpoint=endpoint.url,
        state_dir=state_dir,
        program=program,
        session=session,
        progress=Progress(stream),
    )


def test_deploy_creates_each_resource_with_real_ids_flowing_into_dependents(
    fresh_local_cloud, tmp_path
):
    result = run(fresh_local_cloud, tmp_path, small_platform())

    assert result.progress.counts == Counter(created=7)
    iam = boto3.client("iam")
    ssm = boto3.client("ssm")
    key_arn = boto3.client("kms").describe_key(KeyId=_key_id(result))["KeyMetadata"]["Arn"]
    for project in ("alpha", "beta"):
        role = iam.get_role(RoleName=f"unit-{project}")["Role"]
        parameter = ssm.get_parameter(Name=f"/unit/{project}/role-arn")["Parameter"]
        assert parameter["Value"] == role["Arn"]
        policy = iam.get_role_policy(RoleName=f"unit-{project}", PolicyName=f"{project}-policy")
        assert policy["PolicyDocument"]["Statement"][0]["Resource"] == [key_arn]


def _key_id(result) -> str:
    (key,) = [r for r in result.resources if r.type == "aws:kms/key:Key"]
    return key.id


def test_redeploy_without_changes_makes_no_create_or_update_call(fresh_local_cloud, tmp_path):
    run(fresh_local_cloud, tmp_path, small_platform())
    counter = CallCounter()

    result = run(fresh_local_cloud, tmp_path, small_platform(), session=counter.session)

    assert result.progress.counts == Counter(unchanged=7)
    assert set(counter.calls) <= READ_ONLY_CALLS


def test_changed_input_updates_only_the_resources_it_reaches(fresh_local_cloud, tmp_path):
    run(fresh_local_cloud, tmp_path, small_platform())
    counter = CallCounter()

    result = run(
        fresh_local_cloud, tmp_path, small_platform(value_suffix="#v2"), session=counter.session
    )

    assert result.progress.counts == Counter(unchanged=5, updated=2)
    assert counter.calls["PutParameter"] == 2
    assert not {"CreateRole", "CreateKey", "PutRolePolicy"} & set(counter.calls)
    value = boto3.client("ssm").get_parameter(Name="/unit/alpha/role-arn")["Parameter"]["Value"]
    assert value.endswith("#v2")


def test_removed_project_is_deleted_dependents_first_and_others_stay(fresh_local_cloud, tmp_path):
    run(fresh_local_cloud, tmp_path, small_platform())
    lines = _Lines()

    result = run(fresh_local_cloud, tmp_path, small_platform(projects=("alpha",)), stream=lines)

    assert result.progress.counts == Counter(unchanged=4, deleted=3)
    deleted = [line.split()[2] for line in lines.lines if line.startswith("- ")]
    # the role goes last: its policy references it
    assert deleted[-1] == "beta-role" and set(deleted) == {
        "beta-policy",
        "beta-role-arn",
        "beta-role",
    }
    iam = boto3.client("iam")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName="unit-beta")
    assert iam.get_role(RoleName="unit-alpha")["Role"]["RoleName"] == "unit-alpha"
    names = [p["Name"] for p in boto3.client("ssm").describe_parameters()["Parameters"]]
    assert names == ["/unit/alpha/role-arn"]
    recorded = {
        r.name for r in DeployState.load(result.state_path, fresh_local_cloud.url).records()
    }
    assert "beta-role" not in recorded and "alpha-role" in recorded


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        self.lines.extend(line for line in text.splitlines() if line)

    def flush(self) -> None:
        pass


def test_a_type_without_handler_stops_the_deploy_before_anything_is_created(
    fresh_local_cloud, tmp_path
):
    def program() -> None:
        aws.ssm.Parameter("first", name="/unit/first", type="String", value="x")
        aws.sqs.Queue("queue", name="unit-queue")

    with pytest.raises(UnmappedTypesError, match="aws:sqs/queue:Queue"):
        run(fresh_local_cloud, tmp_path, program)

    assert boto3.client("ssm").describe_parameters()["Parameters"] == []
    assert not state_file(tmp_path, STACK).exists()


def test_a_failing_create_names_the_resource_and_the_state_keeps_what_exists(
    fresh_local_cloud, tmp_path
):
    def program() -> None:
        role = aws.iam.Role("role", name="unit-role", assume_role_policy=ASSUME_SAGEMAKER)
        # IAM refuses a policy for a role that does not exist (NoSuchEntity)
        aws.iam.RolePolicy(
            "broken", role=role.name.apply(lambda name: f"{name}-missing"), policy="{}"
        )

    with pytest.raises(ResourceFailedError) as failure:
        run(fresh_local_cloud, tmp_path, program)

    assert failure.value.type_token == "aws:iam/rolePolicy:RolePolicy"
    assert failure.value.name == "broken"
    assert "aws:iam/rolePolicy:RolePolicy broken failed" in str(failure.value)
    assert "NoSuchEntity" in str(failure.value)
    records = DeployState.load(state_file(tmp_path, STACK), fresh_local_cloud.url).records()
    assert [(r.name, r.id) for r in records] == [("role", "unit-role")]
    assert boto3.client("iam").get_role(RoleName="unit-role")["Role"]["RoleName"] == "unit-role"


def test_an_input_with_no_aws_counterpart_is_refused_with_its_path(fresh_local_cloud, tmp_path):
    def program() -> None:
        aws.iam.Role(
            "role",
            name="unit-role",
            assume_role_policy=ASSUME_SAGEMAKER,
            inline_policies=[{"name": "p", "policy": "{}"}],
        )

    with pytest.raises(ResourceFailedError, match=r"CreateRole\.inlinePolicies"):
        run(fresh_local_cloud, tmp_path, program)


def test_deploy_to_an_endpoint_where_nothing_answers_says_how_to_start_one(tmp_path):
    class Nowhere:
        url = "http://127.0.0.1:9"  # discard port: nothing listens

    with pytest.raises(EndpointUnreachableError, match="sagestack local up"):
        run(Nowhere, tmp_path, small_platform())
    assert not state_file(tmp_path, STACK).exists()


def test_redeploy_after_the_cloud_lost_everything_creates_it_again(fresh_local_cloud, tmp_path):
    run(fresh_local_cloud, tmp_path, small_platform())
    fresh_local_cloud.reset()  # as a restart of `sagestack local up` without --state-dir
    lines = _Lines()

    result = run(fresh_local_cloud, tmp_path, small_platform(), stream=lines)

    assert result.progress.counts == Counter(created=7)
    assert any("holds none of the resources" in line for line in lines.lines)
    assert boto3.client("iam").get_role(RoleName="unit-alpha")["Role"]["RoleName"] == "unit-alpha"


def test_redeploy_refuses_when_a_recorded_resource_was_deleted_behind_its_back(
    fresh_local_cloud, tmp_path
):
    run(fresh_local_cloud, tmp_path, small_platform())
    boto3.client("ssm").delete_parameter(Name="/unit/alpha/role-arn")

    with pytest.raises(DeployError, match="alpha-role-arn"):
        run(fresh_local_cloud, tmp_path, small_platform())


def _named_rule_and_topic(rule_name: str, topic_name: str):
    def program() -> None:
        aws.cloudwatch.EventRule(
            "rule", name=rule_name, schedule_expression="rate(1 hour)", state="ENABLED"
        )
        aws.sns.Topic("topic", name=topic_name)

    return program


def test_renaming_a_rule_or_a_topic_replaces_it_and_the_old_one_is_gone(
    fresh_local_cloud, tmp_path
):
    """A rename changes one of the inputs AWS cannot change in place: the resource is replaced,
    not updated (which would leave the old rule firing and the old topic paging)."""
    run(fresh_local_cloud, tmp_path, _named_rule_and_topic("unit-rule-a", "unit-topic-a"))
    result = run(fresh_local_cloud, tmp_path, _named_rule_and_topic("unit-rule-b", "unit-topic-b"))

    assert result.progress.counts == Counter(replaced=2)
    rules = boto3.client("events").list_rules(NamePrefix="unit-rule")["Rules"]
    assert [rule["Name"] for rule in rules] == ["unit-rule-b"]
    topics = boto3.client("sns").list_topics()["Topics"]
    assert [topic["TopicArn"].rsplit(":", 1)[1] for topic in topics] == ["unit-topic-b"]


class _Interrupted(Exception):
    pass


def test_a_create_interrupted_after_its_checkpoint_is_replaced_by_the_next_deploy(
    fresh_local_cloud, tmp_path, monkeypatch
):
    """The resource exists but its record has no inputs: the next deploy must not take it for
    one it can update in place (its inputs are unknown), so it deletes and creates it again."""
    from sagestack.deploy.handlers import HANDLERS
    from sagestack.deploy.handlers.base import Handler

    token = "aws:ssm/parameter:Parameter"
    handler = HANDLERS[token]

    def create_then_crash(cloud, desired, checkpoint):
        applied = handler.create(cloud, desired, checkpoint)
        checkpoint(applied.id)
        raise _Interrupted("the deploy died here")

    monkeypatch.setitem(
        HANDLERS,
        token,
        Handler(
            create=create_then_crash,
            delete=handler.delete,
            update=handler.update,
            replace_on=handler.replace_on,
        ),
    )
    with pytest.raises(Exception, match="the deploy died here"):
        run(fresh_local_cloud, tmp_path, small_platform(projects=("alpha",)))
    monkeypatch.setitem(HANDLERS, token, handler)
    counter = CallCounter()

    result = run(
        fresh_local_cloud, tmp_path, small_platform(projects=("alpha",)), session=counter.session
    )

    assert result.progress.counts["replaced"] == 1
    assert counter.calls["DeleteParameter"] == 1
    value = boto3.client("ssm").get_parameter(Name="/unit/alpha/role-arn")["Parameter"]["Value"]
    assert value.startswith("arn:aws:iam::")
