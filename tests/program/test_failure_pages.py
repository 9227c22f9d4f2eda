"""A project's failures page on-call: each rule's pattern against the events AWS documents, and the
page its input transformer writes, with EventBridge's own matching and transforming rules (the
local cloud's implementation of them)."""

from __future__ import annotations

import json
import re

import pytest
from aws_events import build_state_change, endpoint_state_change, pipeline_execution_status_change
from graph_helpers import policy, project_entry, stack_config

from sagestack.localcloud.services.events.patterns import matches, parse_pattern
from sagestack.localcloud.services.events.transform import RuleContext, target_input
from sagestack_infra import page_links
from sagestack_infra.program_runner import run_program

PIPELINE = "sagestack-dev-churn-train"
BUILD, DEPLOY = "sagestack-dev-churn-build", "sagestack-dev-churn-deploy"
ENDPOINT = "sagestack-dev-churn"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:sagestack-dev-oncall"


def rule(run, kind: str) -> dict:
    resource = run.named(f"churn-pages-{kind}")
    return parse_pattern(resource.inputs["eventPattern"])


def page(run, kind: str, event: dict) -> dict:
    target = run.named(f"churn-pages-{kind}-target").inputs
    transformer = {
        "InputPathsMap": target["inputTransformer"]["inputPaths"],
        "InputTemplate": target["inputTransformer"]["inputTemplate"],
    }
    context = RuleContext("arn:rule", "rule", "2024-05-01T10:15:01Z")
    return json.loads(target_input({"InputTransformer": transformer}, event, context))


@pytest.mark.parametrize(
    ("event", "pages"),
    [
        (pipeline_execution_status_change(PIPELINE, "Failed"), True),
        (pipeline_execution_status_change(PIPELINE, "Succeeded"), False),
        (pipeline_execution_status_change(PIPELINE, "Stopped"), False),
        (pipeline_execution_status_change("sagestack-dev-other-train", "Failed"), False),
    ],
)
def test_a_failed_training_run_of_the_projects_pipeline_pages(dev_run, event, pages):
    assert matches(rule(dev_run, "train-failed"), event) is pages


def _null_source_version(event: dict) -> dict:
    """The key present and null, as the local cloud's builds without a source version have it."""
    event["detail"]["additional-information"]["source-version"] = None
    return event


@pytest.mark.parametrize(
    ("event", "pages"),
    [
        (build_state_change(BUILD, "FAILED", "7c9e3f2a1b"), True),  # a push to main
        (build_state_change(BUILD, "TIMED_OUT", "7c9e3f2a1b"), True),
        (build_state_change(BUILD, "FAULT", "7c9e3f2a1b"), True),
        (build_state_change(DEPLOY, "FAILED", None), True),  # started by the approval rule
        (_null_source_version(build_state_change(BUILD, "FAILED", None)), True),  # StartBuild
        (build_state_change(BUILD, "FAILED", "pr/17"), False),  # the developer's feedback
        (build_state_change(BUILD, "SUCCEEDED", "7c9e3f2a1b"), False),
        (build_state_change(BUILD, "STOPPED", "7c9e3f2a1b"), False),
        (build_state_change("sagestack-dev-other-build", "FAILED", "7c9e3f2a1b"), False),
    ],
)
def test_a_failed_build_of_the_branch_or_deploy_pages_and_a_pull_requests_does_not(
    dev_run, event, pages
):
    assert matches(rule(dev_run, "build-failed"), event) is pages


def test_a_project_may_ask_to_be_paged_for_pull_request_builds_too():
    entry = project_entry("churn", alerts={"pullRequestBuilds": True})
    run = run_program("dev", stack_config(entry, namePrefix="sagestack-dev"))
    assert matches(rule(run, "build-failed"), build_state_change(BUILD, "FAILED", "pr/17"))


@pytest.mark.parametrize(
    ("status", "pages"),
    [
        ("FAILED", True),
        ("ROLLING_BACK", True),
        ("UPDATE_ROLLBACK_FAILED", True),
        ("IN_SERVICE", False),
        ("UPDATING", False),
    ],
)
def test_an_endpoint_that_fails_or_rolls_back_pages(dev_run, status, pages):
    assert matches(rule(dev_run, "serve-failed"), endpoint_state_change(ENDPOINT, status)) is pages


def test_the_build_page_says_which_build_what_failed_and_links_its_log(dev_run):
    event = build_state_change(BUILD, "FAILED", "7c9e3f2a1b")
    written = page(dev_run, "build-failed", event)
    assert written["summary"] == "sagestack churn: build FAILED"
    assert written["failed"] == event["detail"]["build-id"]
    assert written["logs"] == event["detail"]["additional-information"]["logs"]["deep-link"]
    assert written["runbook"].endswith("docs/runbooks/build-failure.md")


def test_the_pipeline_page_names_the_run_and_how_to_find_the_failed_step(dev_run):
    event = pipeline_execution_status_change(PIPELINE, "Failed")
    written = page(dev_run, "train-failed", event)
    execution = event["detail"]["pipelineExecutionArn"]
    assert written["failed"] == execution
    assert f"--pipeline-execution-arn {execution}" in written["logs"]
    assert written["runbook"].endswith("docs/runbooks/pipeline-failure.md")


def test_the_endpoint_page_names_its_config_and_log_group(dev_run):
    written = page(dev_run, "serve-failed", endpoint_state_change(ENDPOINT, "FAILED"))
    assert written["summary"] == f"sagestack churn: endpoint {ENDPOINT} is FAILED"
    assert written["failed"] == f"endpoint {ENDPOINT} with endpoint config {ENDPOINT}-v7"
    assert written["logs"] == f"CloudWatch Logs /aws/sagemaker/Endpoints/{ENDPOINT}"


@pytest.mark.parametrize(
    ("kind", "runbook"),
    [
        ("train-failed", page_links.PIPELINE_FAILED),
        ("build-failed", page_links.BUILD_FAILED),
        ("serve-failed", page_links.ENDPOINT_FAILED),
    ],
)
def test_every_page_goes_to_oncall_with_its_runbook(dev_run, kind, runbook):
    # that each runbook page and section exists: test_oncall_pages.py, for every page_links.PAGES
    target = dev_run.named(f"churn-pages-{kind}-target").inputs
    assert target["arn"] == TOPIC_ARN
    written = json.loads(target["inputTransformer"]["inputTemplate"])["runbook"]
    assert written.endswith("/" + runbook)


def test_the_topic_lets_the_projects_rules_publish(dev_run):
    statements = {s["Sid"]: s for s in policy(dev_run.named("platform-oncall-policy"))["Statement"]}
    rules = statements["RulesPublish"]["Condition"]["ArnLike"]["aws:SourceArn"]
    assert re.fullmatch(
        rules.replace("*", ".*"), dev_run.named("churn-pages-build-failed").outputs["arn"]
    )
