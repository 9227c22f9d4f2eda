"""CodeBuild webhooks on the local cloud: create, update, delete, and the webhook on the project."""

from __future__ import annotations

import boto3
import pytest

ROLE = "arn:aws:iam::123456789012:role/codebuild"
PUSH_TO_MAIN = [
    [
        {"type": "EVENT", "pattern": "PUSH"},
        {"type": "HEAD_REF", "pattern": "^refs/heads/main$"},
    ]
]
PULL_REQUESTS = [[{"type": "EVENT", "pattern": "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED"}]]


def _project(name: str, source_type: str = "GITHUB") -> None:
    location = {
        "GITHUB": "https://github.com/acme/churn.git",
        "BITBUCKET": "https://bitbucket.org/acme/churn.git",
    }.get(source_type, "bucket/key.zip")
    boto3.client("codebuild").create_project(
        name=name,
        source={"type": source_type, "location": location},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_SMALL",
        },
        serviceRole=ROLE,
    )


@pytest.fixture
def codebuild(fresh_local_cloud):
    _project("churn-build")
    return boto3.client("codebuild")


def _project_webhook(codebuild, name: str = "churn-build") -> dict | None:
    return codebuild.batch_get_projects(names=[name])["projects"][0].get("webhook")


def test_a_webhook_is_created_and_shown_on_the_project_without_its_secret(codebuild, local_cloud):
    created = codebuild.create_webhook(
        projectName="churn-build", filterGroups=PUSH_TO_MAIN, buildType="BUILD"
    )["webhook"]
    assert created["url"].startswith("https://api.github.com/repos/acme/churn/hooks/")
    # the local cloud receives the deliveries itself, on CodeBuild's path
    assert created["payloadUrl"].startswith(f"{local_cloud.url}/webhooks?t=")
    assert created["payloadUrl"].endswith("&v=1")
    assert created["filterGroups"] == PUSH_TO_MAIN
    assert created["buildType"] == "BUILD"
    assert "secret" not in created  # CodeBuild configured GitHub itself

    shown = _project_webhook(codebuild)
    assert shown["filterGroups"] == PUSH_TO_MAIN
    assert shown["payloadUrl"] == created["payloadUrl"]
    assert "secret" not in shown


def test_a_manual_github_webhook_returns_its_secret_once(codebuild):
    created = codebuild.create_webhook(
        projectName="churn-build", filterGroups=PUSH_TO_MAIN, manualCreation=True
    )["webhook"]
    assert len(created["secret"]) == 40
    assert "secret" not in _project_webhook(codebuild)


def test_the_receiver_can_read_the_secret_it_verifies_signatures_with(codebuild, local_cloud):
    if not local_cloud.is_sagestack:
        pytest.skip("reads sagestack's backend")
    from sagestack.localcloud import moto as moto_internals

    created = codebuild.create_webhook(
        projectName="churn-build", filterGroups=PUSH_TO_MAIN, manualCreation=True
    )["webhook"]
    webhooks = moto_internals.backend("codebuild-webhooks")
    assert webhooks.webhook_secret("churn-build") == created["secret"]


def test_a_second_webhook_for_a_project_is_refused(codebuild, aws_error):
    codebuild.create_webhook(projectName="churn-build", filterGroups=PUSH_TO_MAIN)
    error = aws_error(lambda: codebuild.create_webhook(projectName="churn-build"))["Error"]
    assert error["Code"] == "ResourceAlreadyExistsException"
    assert "churn-build" in error["Message"]


def test_a_webhook_for_an_unknown_project_is_resource_not_found(codebuild, aws_error):
    for call in (codebuild.create_webhook, codebuild.update_webhook, codebuild.delete_webhook):
        error = aws_error(lambda c=call: c(projectName="nope"))["Error"]
        assert error["Code"] == "ResourceNotFoundException"
        assert "project/nope" in error["Message"]


def test_a_project_whose_source_cannot_have_a_webhook_is_refused(fresh_local_cloud, aws_error):
    _project("from-s3", source_type="S3")
    codebuild = boto3.client("codebuild")
    error = aws_error(lambda: codebuild.create_webhook(projectName="from-s3"))["Error"]
    assert error["Code"] == "InvalidInputException"
    assert "source type S3" in error["Message"]


@pytest.mark.parametrize(
    ("filter_groups", "message"),
    [
        ([[{"type": "HEAD_REF", "pattern": "^refs/heads/main$"}]], "exactly one filter of type"),
        ([[{"type": "EVENT", "pattern": "PUSH,FORCE_PUSH"}]], "unknown events ['FORCE_PUSH']"),
        ([[{"type": "EVENT", "pattern": "PUSH"}, {"type": "BRANCH", "pattern": "x"}]], "BRANCH"),
    ],
)
def test_invalid_filter_groups_are_refused_and_nothing_is_created(
    codebuild, filter_groups, message, aws_error
):
    error = aws_error(
        lambda: codebuild.create_webhook(projectName="churn-build", filterGroups=filter_groups)
    )["Error"]
    assert error["Code"] == "InvalidInputException"
    assert message in error["Message"]
    assert _project_webhook(codebuild) is None


@pytest.mark.parametrize("event", ["PULL_REQUEST_REOPENED", "RELEASED"])
def test_github_only_events_are_refused_for_a_bitbucket_source(fresh_local_cloud, aws_error, event):
    _project("bitbucket-build", source_type="BITBUCKET")
    codebuild = boto3.client("codebuild")
    groups = [[{"type": "EVENT", "pattern": f"PULL_REQUEST_CREATED,{event}"}]]
    error = aws_error(
        lambda: codebuild.create_webhook(projectName="bitbucket-build", filterGroups=groups)
    )["Error"]
    assert error["Code"] == "InvalidInputException"
    assert f"Event {event} is not supported for source type BITBUCKET" in error["Message"]
    assert _project_webhook(codebuild, "bitbucket-build") is None


def test_update_replaces_the_filters(codebuild):
    codebuild.create_webhook(projectName="churn-build", filterGroups=PUSH_TO_MAIN)
    updated = codebuild.update_webhook(projectName="churn-build", filterGroups=PULL_REQUESTS)
    assert updated["webhook"]["filterGroups"] == PULL_REQUESTS
    assert _project_webhook(codebuild)["filterGroups"] == PULL_REQUESTS


def test_rotating_a_manual_webhooks_secret_returns_a_new_one(codebuild):
    created = codebuild.create_webhook(
        projectName="churn-build", filterGroups=PUSH_TO_MAIN, manualCreation=True
    )["webhook"]
    rotated = codebuild.update_webhook(projectName="churn-build", rotateSecret=True)["webhook"]
    assert rotated["secret"] != created["secret"]
    assert rotated["lastModifiedSecret"] >= created["lastModifiedSecret"]
    assert rotated["filterGroups"] == PUSH_TO_MAIN


def test_update_of_a_project_without_a_webhook_is_not_found(codebuild, aws_error):
    error = aws_error(lambda: codebuild.update_webhook(projectName="churn-build"))["Error"]
    assert error["Code"] == "ResourceNotFoundException"
    assert "has no webhook" in error["Message"]


def test_a_deleted_webhook_is_gone_from_the_project(codebuild, aws_error):
    codebuild.create_webhook(projectName="churn-build", filterGroups=PUSH_TO_MAIN)
    codebuild.delete_webhook(projectName="churn-build")
    assert _project_webhook(codebuild) is None
    assert aws_error(lambda: codebuild.delete_webhook(projectName="churn-build"))["Error"][
        "Code"
    ] == ("ResourceNotFoundException")


def test_deleting_the_project_deletes_its_webhook(codebuild):
    codebuild.create_webhook(projectName="churn-build", filterGroups=PUSH_TO_MAIN)
    codebuild.delete_project(name="churn-build")
    _project("churn-build")
    assert _project_webhook(codebuild) is None


def test_batch_get_projects_names_the_projects_it_did_not_find(codebuild):
    got = codebuild.batch_get_projects(names=["churn-build", "missing"])
    assert [p["name"] for p in got["projects"]] == ["churn-build"]
    assert got["projectsNotFound"] == ["missing"]
