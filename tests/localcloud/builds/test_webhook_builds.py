"""A git push to a local repository reaches the project's webhook, signed, and starts a build
that checks the pushed commit out and runs its buildspec."""

from __future__ import annotations

from conftest import (
    PUSH_TO_MAIN,
    builds_of,
    create_project,
    log_lines,
    phases,
    wait_for,
    wait_for_build,
)

BUILDSPEC = """\
version: 0.2
env:
  exported-variables: [WEBHOOK_EVENT, WEBHOOK_TRIGGER, HEAD_REF, RESOLVED, SRC_FILE]
phases:
  install:
    commands:
      - export WEBHOOK_EVENT=$CODEBUILD_WEBHOOK_EVENT WEBHOOK_TRIGGER=$CODEBUILD_WEBHOOK_TRIGGER
  pre_build:
    commands:
      - export HEAD_REF=$CODEBUILD_WEBHOOK_HEAD_REF RESOLVED=$CODEBUILD_RESOLVED_SOURCE_VERSION
  build:
    commands:
      - export SRC_FILE="$(cat data.txt)"
      - echo "initiator $CODEBUILD_INITIATOR"
"""


def _exported(build: dict) -> dict[str, str]:
    return {v["name"]: v["value"] for v in build["exportedEnvironmentVariables"]}


def test_a_push_to_main_starts_a_build_of_the_pushed_commit_whose_phases_succeed(
    codebuild, repository
):
    create_project(codebuild)
    codebuild.create_webhook(projectName="churn-build", filterGroups=PUSH_TO_MAIN)
    commit = repository.commit({"buildspec.yml": BUILDSPEC, "data.txt": "pushed"})
    output = repository.push()
    assert "build churn-build:" in output  # git push shows the delivery (remote: sagestack: ...)

    [build_id] = wait_for(lambda: builds_of(codebuild))
    build = wait_for_build(codebuild, build_id)
    assert build["buildStatus"] == "SUCCEEDED", build["phases"]
    assert build["sourceVersion"] == commit
    assert build["resolvedSourceVersion"] == commit
    assert build["initiator"].startswith("GitHub-Hookshot/")
    assert [p["phaseType"] for p in build["phases"]] == [
        "SUBMITTED",
        "QUEUED",
        "PROVISIONING",
        "DOWNLOAD_SOURCE",
        "INSTALL",
        "PRE_BUILD",
        "BUILD",
        "POST_BUILD",
        "UPLOAD_ARTIFACTS",
        "FINALIZING",
        "COMPLETED",
    ]
    assert all(p["phaseStatus"] == "SUCCEEDED" for p in build["phases"][:-1])
    assert _exported(build) == {
        "WEBHOOK_EVENT": "PUSH",
        "WEBHOOK_TRIGGER": "branch/main",
        "HEAD_REF": "refs/heads/main",
        "RESOLVED": commit,
        "SRC_FILE": "pushed",
    }
    assert any(line.startswith("initiator GitHub-Hookshot/") for line in log_lines(build))


def test_a_push_to_another_branch_matches_no_filter_group_and_starts_nothing(codebuild, repository):
    create_project(codebuild)
    codebuild.create_webhook(projectName="churn-build", filterGroups=PUSH_TO_MAIN)
    repository.commit({"buildspec.yml": BUILDSPEC, "data.txt": "x"})
    output = repository.push("HEAD:refs/heads/feature")
    assert "no filter group matched" in output
    assert builds_of(codebuild) == []


def test_deleting_a_tag_or_branch_starts_nothing(codebuild, repository):
    create_project(codebuild)
    everything = [[{"type": "EVENT", "pattern": "PUSH"}]]
    codebuild.create_webhook(projectName="churn-build", filterGroups=everything)
    repository.commit({"buildspec.yml": BUILDSPEC, "data.txt": "x"})
    repository.git("tag", "v1")
    repository.push("refs/tags/v1")
    [tag_build] = wait_for(lambda: builds_of(codebuild))
    output = repository.push(":refs/tags/v1")
    assert "refs/tags/v1 was deleted: nothing to build" in output
    assert builds_of(codebuild) == [tag_build]
    wait_for_build(codebuild, tag_build)


def test_a_push_reaches_only_projects_whose_source_is_the_repository(codebuild, repository):
    create_project(codebuild)
    create_project(codebuild, name="other-build", location="https://github.com/acme/other")
    for name in ("churn-build", "other-build"):
        codebuild.create_webhook(projectName=name, filterGroups=PUSH_TO_MAIN)
    repository.commit({"buildspec.yml": BUILDSPEC, "data.txt": "x"})
    repository.push()
    build_id = wait_for(lambda: builds_of(codebuild))[0]
    assert builds_of(codebuild, "other-build") == []
    wait_for_build(codebuild, build_id)


def test_a_build_of_a_location_no_local_repository_serves_fails_downloading_its_source(codebuild):
    create_project(codebuild, location="https://github.com/acme/elsewhere")
    build = codebuild.start_build(projectName="churn-build", sourceVersion="main")["build"]
    build = wait_for_build(codebuild, build["id"])
    assert build["buildStatus"] == "FAILED"
    download = phases(build)["DOWNLOAD_SOURCE"]
    assert download["phaseStatus"] == "FAILED"
    assert download["contexts"] == [
        {
            "statusCode": "CLIENT_ERROR",
            "message": "repository not found for primary source and source version main",
        }
    ]
    assert [p["phaseType"] for p in build["phases"]][-2:] == ["FINALIZING", "COMPLETED"]
    assert "INSTALL" not in phases(build)
