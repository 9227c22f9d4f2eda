"""``sagestack local repo``: repositories the local cloud serves, and pull requests from them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import URL, builds_of, create_project, wait_for, wait_for_build

from sagestack.cli import main

PULL_REQUESTS_INTO_MAIN = [
    [
        {"type": "EVENT", "pattern": "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED"},
        {"type": "BASE_REF", "pattern": "^refs/heads/main$"},
    ]
]
SPEC = """\
version: 0.2
env:
  exported-variables: [CONTENT, EVENT, VERSION]
phases:
  build:
    commands:
      - export CONTENT="$(cat data.txt)" EVENT=$CODEBUILD_WEBHOOK_EVENT
      - export VERSION=$CODEBUILD_SOURCE_VERSION
"""


def _cli(*args: str):
    return CliRunner().invoke(main, ["local", "repo", *args])


def test_a_pull_request_builds_its_head_as_pr_n(codebuild, repository):
    create_project(codebuild)
    codebuild.create_webhook(projectName="churn-build", filterGroups=PULL_REQUESTS_INTO_MAIN)
    repository.commit({"buildspec.yml": SPEC, "data.txt": "main"})
    repository.push()
    repository.git("checkout", "--quiet", "-b", "feature")
    head = repository.commit({"data.txt": "feature"})
    repository.push("HEAD:refs/heads/feature")
    assert builds_of(codebuild) == []  # pushes match no group here

    opened = _cli("pr", "churn", "--head", "feature", "--base", "main")
    assert opened.exit_code == 0, opened.output
    assert opened.stdout.strip() == "pull request #1"
    [build_id] = wait_for(lambda: builds_of(codebuild))
    build = wait_for_build(codebuild, build_id)
    assert build["buildStatus"] == "SUCCEEDED", build["phases"]
    assert build["resolvedSourceVersion"] == head
    exported = {v["name"]: v["value"] for v in build["exportedEnvironmentVariables"]}
    assert exported == {"CONTENT": "feature", "EVENT": "PULL_REQUEST_CREATED", "VERSION": "pr/1"}

    closed = _cli("pr", "churn", "--head", "feature", "--action", "closed", "--merged")
    assert closed.exit_code == 0 and "no filter group matched" in closed.stderr
    assert builds_of(codebuild) == [build_id]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "bad name", "--url", URL), "repository name 'bad name' is invalid"),
        (("create", "churn2", "--url", "github.com/acme"), "repository URL 'github.com/acme'"),
        (("create", "churn", "--url", "https://github.com/acme/other"), "already exists"),
        (("create", "other", "--url", URL + ".git"), "already stands in for"),
        (("pr", "churn", "--head", "nope"), "branch 'nope' does not exist"),
        (("pr", "missing", "--head", "x"), "repository 'missing' does not exist"),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_it(repository, args, message):
    repository.commit({"a.txt": "a"})
    repository.push()
    result = _cli(*args)
    assert result.exit_code != 0
    assert message in result.output


def test_a_push_with_no_webhook_says_so(codebuild, repository):
    repository.commit({"a.txt": "a"})
    output = repository.push()
    assert f"no CodeBuild webhook has {URL}" in output
