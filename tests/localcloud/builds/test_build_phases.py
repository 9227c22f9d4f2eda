"""The build executor: phases and their failures, variables, cache, stops, timeouts, logs and
events, on builds started with StartBuild and an inline buildspec."""

from __future__ import annotations

import json
import time

import boto3
import pytest
from conftest import (
    BUILD_ACTIONS_WITHOUT_S3,
    create_project,
    create_role,
    log_lines,
    phases,
    wait_for,
    wait_for_build,
)


def _run(codebuild, buildspec: str, **settings) -> dict:
    overrides = settings.pop("start", {})
    create_project(codebuild, buildspec=buildspec, source_type="NO_SOURCE", **settings)
    build = codebuild.start_build(projectName="churn-build", **overrides)["build"]
    return wait_for_build(codebuild, build["id"])


def _exported(build: dict) -> dict[str, str]:
    return {v["name"]: v["value"] for v in build["exportedEnvironmentVariables"]}


FAILING_PRE_BUILD = """\
version: 0.2
phases:
  install:
    commands:
      - echo installing
  pre_build:
    commands:
      - echo checking
      - exit 3
      - echo never-run
    finally:
      - echo cleaning-up
  build:
    commands:
      - echo never-built
  post_build:
    commands:
      - echo never-posted
"""


def test_a_failing_pre_build_command_fails_the_phase_runs_finally_and_skips_the_rest(codebuild):
    build = _run(codebuild, FAILING_PRE_BUILD)
    assert build["buildStatus"] == "FAILED"
    pre_build = phases(build)["PRE_BUILD"]
    assert pre_build["phaseStatus"] == "FAILED"
    assert pre_build["contexts"] == [
        {
            "statusCode": "COMMAND_EXECUTION_ERROR",
            "message": "Error while executing command: exit 3. Reason: exit status 3",
        }
    ]
    assert [p["phaseType"] for p in build["phases"]] == [
        "SUBMITTED",
        "QUEUED",
        "PROVISIONING",
        "DOWNLOAD_SOURCE",
        "INSTALL",
        "PRE_BUILD",
        "FINALIZING",
        "COMPLETED",
    ]
    assert "BUILD" not in phases(build) and "POST_BUILD" not in phases(build)
    lines = log_lines(build)
    assert "cleaning-up" in lines
    assert not {"never-run", "never-built", "never-posted"} & set(lines)


def test_a_failing_build_phase_still_runs_post_build_which_sees_it_failed(codebuild):
    spec = """\
version: 0.2
env:
  exported-variables: [SUCCEEDING]
phases:
  build:
    commands:
      - "false"
  post_build:
    commands:
      - export SUCCEEDING=$CODEBUILD_BUILD_SUCCEEDING
"""
    build = _run(codebuild, spec)
    assert build["buildStatus"] == "FAILED"
    assert phases(build)["BUILD"]["phaseStatus"] == "FAILED"
    assert phases(build)["POST_BUILD"]["phaseStatus"] == "SUCCEEDED"
    assert phases(build)["UPLOAD_ARTIFACTS"]["phaseStatus"] == "SUCCEEDED"
    assert _exported(build) == {"SUCCEEDING": "0"}


def test_on_failure_continue_goes_on_to_the_next_phase(codebuild):
    spec = """\
version: 0.2
env:
  exported-variables: [BUILT]
phases:
  install:
    on-failure: CONTINUE
    commands:
      - "false"
  build:
    commands:
      - export BUILT=yes
"""
    build = _run(codebuild, spec)
    assert phases(build)["INSTALL"]["phaseStatus"] == "FAILED"
    assert phases(build)["BUILD"]["phaseStatus"] == "SUCCEEDED"
    assert _exported(build) == {"BUILT": "yes"}
    assert build["buildStatus"] == "FAILED"


@pytest.mark.parametrize(
    ("buildspec", "message"),
    [
        (
            "version: 0.2\nphases:\n\tbuild: x\n",
            "found character that cannot start any token at line 3",
        ),
        (
            "version: 0.2\nphases:\n  artifacts:\n    commands: [ls]\n",
            "Invalid buildspec phase name: artifacts. "
            "Expecting: build,install,post_build,pre_build",
        ),
        (
            "version: 1.0\nphases: {}\n",
            "invalid buildspec `version` specified: 1.0, see documentation",
        ),
        (
            "version: 0.2\nphases:\n  build:\n    commands:\n      - echo ok\n      - tag:\n",
            "Expected Commands[1] to be of string type: found subkeys instead at line 6",
        ),
        (
            "version: 0.2\nphases:\n  install:\n    runtime-versions:\n      nodejs: 18\n",
            "Unknown runtime named 'nodejs'. This build image has the following runtimes: python",
        ),
    ],
)
def test_a_buildspec_codebuild_refuses_fails_the_build_in_download_source(
    codebuild, buildspec, message
):
    build = _run(codebuild, buildspec)
    assert build["buildStatus"] == "FAILED"
    download = phases(build)["DOWNLOAD_SOURCE"]
    assert download["contexts"] == [{"statusCode": "YAML_FILE_ERROR", "message": message}]
    assert "INSTALL" not in phases(build)


def test_variables_from_the_buildspec_project_start_build_and_parameter_store(codebuild):
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name="/sagestack/dev/churn/bucket", Value="churn-bucket", Type="String")
    ssm.put_parameter(Name="/token", Value="s3cr3t", Type="SecureString")
    boto3.client("secretsmanager").create_secret(
        Name="db", SecretString=json.dumps({"password": "pw"})
    )
    spec = """\
version: 0.2
env:
  variables: {LAYER: buildspec, FROM_SPEC: spec, PATHISH: "$PATH:/x"}
  parameter-store: {BUCKET: /sagestack/dev/churn/bucket}
  secrets-manager: {DB_PASSWORD: "db:password"}
  exported-variables: [LAYER, FROM_SPEC, PATHISH, BUCKET, DB_PASSWORD, TOKEN, ENDPOINT, KEY]
phases:
  build:
    commands:
      - export ENDPOINT=$AWS_ENDPOINT_URL KEY=$AWS_ACCESS_KEY_ID
"""
    build = _run(
        codebuild,
        spec,
        variables=[
            {"name": "LAYER", "value": "project", "type": "PLAINTEXT"},
            {"name": "TOKEN", "value": "/token", "type": "PARAMETER_STORE"},
        ],
        start={"environmentVariablesOverride": [{"name": "LAYER", "value": "start-build"}]},
    )
    assert build["buildStatus"] == "SUCCEEDED", build["phases"]
    exported = _exported(build)
    assert exported["LAYER"] == "start-build"  # StartBuild > project > buildspec
    assert exported["FROM_SPEC"] == "spec"
    assert exported["PATHISH"] == "$PATH:/x"  # taken literally, as CodeBuild does
    assert exported["BUCKET"] == "churn-bucket"
    assert exported["TOKEN"] == "s3cr3t"
    assert exported["DB_PASSWORD"] == "pw"
    assert exported["ENDPOINT"].startswith("http://127.0.0.1:")
    assert exported["KEY"].startswith("ASIA")  # the role's credentials, not the admin's


def test_a_missing_parameter_fails_download_source_as_codebuild_says(codebuild):
    spec = "version: 0.2\nenv:\n  parameter-store: {X: /missing}\nphases: {}\n"
    build = _run(codebuild, spec)
    assert phases(build)["DOWNLOAD_SOURCE"]["contexts"] == [
        {"statusCode": "Decrypted Variables Error", "message": "parameter does not exist: /missing"}
    ]


def test_exported_variables_keep_their_value_at_the_end_of_post_build(codebuild):
    spec = """\
version: 0.2
env:
  exported-variables: [VERSION, UNSET, AWS_REGION]
phases:
  install:
    commands:
      - export VERSION=1
  post_build:
    commands:
      - cd /tmp && export VERSION=$((VERSION + 1))
"""
    build = _run(codebuild, spec)
    # AWS_ variables cannot be exported
    assert _exported(build) == {"VERSION": "2", "UNSET": ""}


CACHED = """\
version: 0.2
env:
  exported-variables: [SEEN]
phases:
  build:
    commands:
      - export SEEN="$(cat /root/.cache/tool/marker 2>/dev/null || echo none)"
      - mkdir -p ~/.cache/tool && echo "$CODEBUILD_BUILD_NUMBER" > ~/.cache/tool/marker
cache:
  paths:
    - /root/.cache/tool/**/*
"""


def test_cache_paths_are_kept_between_builds_of_a_project(codebuild):
    cache = {"type": "LOCAL", "modes": ["LOCAL_CUSTOM_CACHE"]}
    first = _run(
        codebuild, CACHED.replace("/root/.cache/tool/marker", "~/.cache/tool/marker"), cache=cache
    )
    assert _exported(first) == {"SEEN": "none"}
    second = wait_for_build(
        codebuild, codebuild.start_build(projectName="churn-build")["build"]["id"]
    )
    assert _exported(second) == {"SEEN": "1"}


def test_without_a_project_cache_the_paths_are_not_kept(codebuild):
    first = _run(codebuild, CACHED.replace("/root/.cache/tool/marker", "~/.cache/tool/marker"))
    assert _exported(first) == {"SEEN": "none"}
    second = wait_for_build(
        codebuild, codebuild.start_build(projectName="churn-build")["build"]["id"]
    )
    assert _exported(second) == {"SEEN": "none"}
    assert any("Skip cache due to" in line for line in log_lines(second))


SLEEPING = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo started; sleep 60\n"


def _started(codebuild, build_id: str) -> dict:
    def running():
        build = codebuild.batch_get_builds(ids=[build_id])["builds"][0]
        return build if build["currentPhase"] == "BUILD" else None

    return wait_for(running)


def test_stop_build_stops_the_running_phase_and_its_processes(codebuild):
    create_project(codebuild, buildspec=SLEEPING, source_type="NO_SOURCE")
    build_id = codebuild.start_build(projectName="churn-build")["build"]["id"]
    assert _started(codebuild, build_id)
    started = time.monotonic()
    stopped = codebuild.stop_build(id=build_id)["build"]
    assert time.monotonic() - started < 10
    assert stopped["buildStatus"] == "STOPPED" and stopped["buildComplete"]
    assert [p["phaseType"] for p in stopped["phases"]][-2:] == ["BUILD", "COMPLETED"]
    build_phase = phases(stopped)["BUILD"]
    assert build_phase["phaseStatus"] == "STOPPED" and "contexts" not in build_phase
    from sagestack.localcloud.executors import processes

    assert wait_for(lambda: not processes.running(), seconds=10)


def test_a_build_past_its_timeout_is_timed_out(codebuild):
    from sagestack.localcloud import frozen_clock

    with frozen_clock() as clock:
        create_project(codebuild, buildspec=SLEEPING, source_type="NO_SOURCE", timeoutInMinutes=5)
        build_id = codebuild.start_build(projectName="churn-build")["build"]["id"]
        assert _started(codebuild, build_id)
        clock.advance(4 * 60)
        assert not codebuild.batch_get_builds(ids=[build_id])["builds"][0]["buildComplete"]
        clock.advance(61)
        build = wait_for_build(codebuild, build_id, seconds=10)
    assert build["buildStatus"] == "TIMED_OUT"
    assert phases(build)["BUILD"]["phaseStatus"] == "TIMED_OUT"
    assert phases(build)["BUILD"]["contexts"] == [
        {"statusCode": "BUILD_TIMED_OUT", "message": "Build has timed out. "}
    ]


def test_output_reaches_cloudwatch_logs_line_by_line_while_the_build_runs(codebuild):
    create_project(
        codebuild,
        buildspec=SLEEPING,
        source_type="NO_SOURCE",
        logsConfig={
            "cloudWatchLogs": {"status": "ENABLED", "groupName": "ci", "streamName": "churn"}
        },
    )
    build = codebuild.start_build(projectName="churn-build")["build"]
    assert build["logs"]["groupName"] == "ci"
    assert build["logs"]["streamName"] == f"churn/{build['id'].split(':')[1]}"
    _started(codebuild, build["id"])
    assert wait_for(lambda: "started" in log_lines(build), seconds=10)
    codebuild.stop_build(id=build["id"])


def test_state_and_phase_changes_reach_an_eventbridge_rule_that_pages_on_failures(codebuild):
    sqs, events = boto3.client("sqs"), boto3.client("events")
    queue = sqs.create_queue(QueueName="failed-builds")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]
    events.put_rule(
        Name="failed-builds",
        EventPattern=json.dumps(
            {
                "source": ["aws.codebuild"],
                "detail-type": ["CodeBuild Build State Change"],
                "detail": {"build-status": ["FAILED"]},
            }
        ),
    )
    events.put_targets(Rule="failed-builds", Targets=[{"Id": "q", "Arn": queue_arn["QueueArn"]}])
    build = _run(codebuild, FAILING_PRE_BUILD)
    messages = wait_for(lambda: sqs.receive_message(QueueUrl=queue).get("Messages"), seconds=10)
    event = json.loads(messages[0]["Body"])
    assert event["detail-type"] == "CodeBuild Build State Change"
    assert event["resources"] == [build["arn"]]
    detail = event["detail"]
    assert detail["build-status"] == "FAILED"
    assert detail["build-id"] == build["arn"]
    assert detail["project-name"] == "churn-build"
    assert detail["current-phase"] == "COMPLETED" and detail["current-phase-context"] == "[]"
    failed = [
        p for p in detail["additional-information"]["phases"] if p.get("phase-status") == "FAILED"
    ]
    assert failed[0]["phase-type"] == "PRE_BUILD"
    assert failed[0]["phase-context"] == [
        "COMMAND_EXECUTION_ERROR: Error while executing command: exit 3. Reason: exit status 3"
    ]


def test_a_project_at_its_concurrent_build_limit_refuses_another_build(codebuild, aws_error):
    create_project(codebuild, buildspec=SLEEPING, source_type="NO_SOURCE", concurrentBuildLimit=1)
    first = codebuild.start_build(projectName="churn-build")["build"]["id"]
    error = aws_error(lambda: codebuild.start_build(projectName="churn-build"))["Error"]
    assert error["Code"] == "AccountLimitExceededException"
    codebuild.stop_build(id=first)
    second = codebuild.start_build(projectName="churn-build")["build"]["id"]
    codebuild.stop_build(id=second)


def test_builds_beyond_the_accounts_limit_wait_queued(codebuild, monkeypatch):
    from sagestack.localcloud.executors.builds import scheduler

    monkeypatch.setattr(scheduler, "MAX_RUNNING", 1)
    create_project(codebuild, buildspec=SLEEPING, source_type="NO_SOURCE")
    first = codebuild.start_build(projectName="churn-build")["build"]["id"]
    _started(codebuild, first)
    second = codebuild.start_build(projectName="churn-build")["build"]["id"]
    time.sleep(0.5)
    queued = codebuild.batch_get_builds(ids=[second])["builds"][0]
    assert queued["currentPhase"] == "QUEUED" and queued["buildStatus"] == "IN_PROGRESS"
    codebuild.stop_build(id=first)
    assert _started(codebuild, second)
    codebuild.stop_build(id=second)


def test_artifacts_are_uploaded_to_the_projects_bucket_with_the_roles_credentials(codebuild):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="churn-artifacts")
    spec = """\
version: 0.2
phases:
  build:
    commands:
      - mkdir -p out/sub && echo model > out/model.txt && echo x > out/sub/skip.log
artifacts:
  base-directory: out
  files: ["**/*"]
  exclude-paths: ["**/*.log"]
"""
    build = _run(
        codebuild,
        spec,
        artifacts={
            "type": "S3",
            "location": "churn-artifacts",
            "path": "builds",
            "name": "model",
            "packaging": "NONE",
        },
    )
    assert build["buildStatus"] == "SUCCEEDED", build["phases"]
    assert build["artifacts"]["location"] == "arn:aws:s3:::churn-artifacts/builds/model"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="churn-artifacts")["Contents"]]
    assert keys == ["builds/model/model.txt"]


def test_no_matching_artifact_files_fail_the_upload(codebuild):
    spec = "version: 0.2\nphases: {}\nartifacts:\n  files: [missing.txt]\n"
    boto3.client("s3").create_bucket(Bucket="churn-artifacts")
    build = _run(codebuild, spec, artifacts={"type": "S3", "location": "churn-artifacts"})
    assert phases(build)["UPLOAD_ARTIFACTS"]["contexts"] == [
        {"statusCode": "CLIENT_ERROR", "message": "no matching artifact paths found"}
    ]


def test_batch_get_builds_names_unknown_ids_and_keeps_phases_as_they_are(codebuild):
    build = _run(codebuild, "version: 0.2\nphases: {}\n")
    again = codebuild.batch_get_builds(ids=[build["id"], "churn-build:nope"])
    assert again["buildsNotFound"] == ["churn-build:nope"]
    assert again["builds"][0]["phases"] == build["phases"]  # moto appended phases on every call
    assert build["buildNumber"] == 1


def test_on_failure_retry_runs_a_failed_phase_again_from_its_start(codebuild):
    spec = """\
version: 0.2
env:
  exported-variables: [ATTEMPTS]
phases:
  build:
    on-failure: RETRY-2-flaky
    commands:
      - export ATTEMPTS="${ATTEMPTS}x"
      - echo "$ATTEMPTS" >> ~/attempts
      - '[ "$(wc -l < ~/attempts)" -ge 2 ] || { echo flaky network; false; }'
"""
    build = _run(codebuild, spec)
    assert build["buildStatus"] == "SUCCEEDED", build["phases"]
    # the retry started from the shell's state before the phase, not after the failed attempt
    assert _exported(build) == {"ATTEMPTS": "x"}
    assert any("Retrying phase BUILD: 1" in line for line in log_lines(build))


def test_a_build_acts_as_its_role_denied_until_the_grant_is_added(codebuild):
    """The build's ``aws s3 cp`` is signed with the project's role: without s3:PutObject on the
    bucket it fails with S3's AccessDenied; with the grant, the same build passes."""
    boto3.client("s3").create_bucket(Bucket="training-data")
    spec = (
        "version: 0.2\nphases:\n  build:\n    commands:\n      - echo rows > data.csv\n"
        "      - aws s3 cp data.csv s3://training-data/data.csv\n"
    )
    create_project(
        codebuild, buildspec=spec, source_type="NO_SOURCE", role_actions=BUILD_ACTIONS_WITHOUT_S3
    )
    denied = wait_for_build(
        codebuild, codebuild.start_build(projectName="churn-build")["build"]["id"]
    )
    assert denied["buildStatus"] == "FAILED"
    assert phases(denied)["BUILD"]["contexts"][0]["statusCode"] == "COMMAND_EXECUTION_ERROR"
    lines = log_lines(denied)
    assert any("AccessDenied" in line for line in lines), lines
    assert any("assumed-role/churn-build/AWSCodeBuild-" in line for line in lines), lines

    create_role(actions=[*BUILD_ACTIONS_WITHOUT_S3, "s3:PutObject"])
    granted = wait_for_build(
        codebuild, codebuild.start_build(projectName="churn-build")["build"]["id"]
    )
    assert granted["buildStatus"] == "SUCCEEDED", log_lines(granted)
    body = boto3.client("s3").get_object(Bucket="training-data", Key="data.csv")["Body"].read()
    assert body == b"rows\n"
