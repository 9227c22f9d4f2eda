"""Stacks of 0, 1 and 50 projects, Kubernetes serving, and configs the program must refuse
before it registers anything."""

from __future__ import annotations

import json
import logging

import pulumi
import pytest
from graph_helpers import project_entry, stack_config

from sagestack_infra.config import ConfigError
from sagestack_infra.program import run_stack
from sagestack_infra.program_runner import DefaultMocks, run_program

PLATFORM_COMPONENTS = {
    "sagestack:encryption:EncryptionKey",
    "sagestack:storage:ArtifactStore",
    "sagestack:monitoring:OnCall",
    "sagestack:monitoring:DriftMonitor",
    "sagestack:policy:PublishedPolicyPack",
}


class CountingMocks(DefaultMocks):
    """Default mocks that remember every resource they were asked to create."""

    def __init__(self):
        self.created: list[str] = []

    def new_resource(self, args):
        self.created.append(args.name)
        return super().new_resource(args)


def per_project(run, project: str) -> list[str]:
    return sorted(r.type for r in run.resources if r.name.startswith(f"{project}-"))


def test_zero_projects_registers_only_the_shared_platform():
    run = run_program("dev", stack_config())

    components = {r.type for r in run.resources if not r.custom}
    assert components == PLATFORM_COMPONENTS  # no feature groups configured: no feature store
    assert run.outputs["parameterPaths"] == {}
    assert not run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")


def test_one_project_adds_one_slice_to_the_platform():
    empty = run_program("dev", stack_config())
    one = run_program("dev", stack_config(project_entry("churn")))

    assert len(one.of_type("sagestack:project:MlProject")) == 1
    assert len(one.resources) == len(empty.resources) + 1 + len(per_project(one, "churn"))


@pytest.mark.slow
def test_fifty_projects_get_fifty_identical_slices_with_distinct_names():
    projects = [project_entry(f"model-{index:02d}") for index in range(50)]
    run = run_program("dev", stack_config(*projects))

    shapes = {tuple(per_project(run, f"model-{index:02d}")) for index in range(50)}
    assert len(shapes) == 1
    assert len({r.urn for r in run.resources}) == len(run.resources)
    names = [r.inputs["name"] for r in run.of_type("aws:codebuild/project:Project")]
    assert len(names) == len(set(names)) == 100
    assert len(run.outputs["parameterPaths"]) == 50


def test_invalid_config_registers_no_resource_at_all():
    mocks = CountingMocks()
    bad = stack_config(project_entry("Churn Model"), project_entry("ok"))

    with pytest.raises(ConfigError, match=r'sagestack:projects\[0\]\.name: "Churn Model"'):
        run_program("dev", bad, mocks=mocks)
    assert mocks.created == []


def test_names_aws_would_refuse_are_reported_before_any_resource():
    mocks = CountingMocks()
    long_project = "a" * 31  # valid by itself, too long behind a 25-character prefix
    config = stack_config(project_entry(long_project), namePrefix="p" * 25)

    with pytest.raises(ConfigError) as error:
        run_program("dev", config, mocks=mocks)
    assert error.value.problems == [
        f'sagestack:projects[0].name: "{long_project}" gives the EventBridge rule name '
        f'"{"p" * 25}-{long_project}-approved", which is 66 characters long; AWS allows 1 to 64 '
        "(shorten sagestack:namePrefix or the project name; 9 other name(s) it gives are "
        "refused too)"
    ]
    assert mocks.created == []


def test_under_pulumi_each_config_problem_is_an_error_diagnostic_and_nothing_is_registered(caplog):
    mocks = CountingMocks()
    bad = stack_config(project_entry("churn-"), environment="qa")

    with caplog.at_level(logging.ERROR), pytest.raises(pulumi.RunError, match="2 problem"):
        run_program("dev", bad, mocks=mocks, program=run_stack)

    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        'sagestack:environment: "qa" must be one of: dev, staging, prod',
        'sagestack:projects[0].name: "churn-" must be 2 to 31 lowercase letters, digits and '
        "hyphens, starting with a letter and not ending with a hyphen",
    ]
    assert mocks.created == []


KUBERNETES = {
    "kubeconfig": "apiVersion: v1\nkind: Config\n",
    "modelServerImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/model-server:1.0",
}


@pytest.fixture(scope="module")
def kubernetes_run():
    entry = project_entry(
        "churn", serving={"target": "kubernetes", "replicas": 3, "cpu": "1", "memory": "2Gi"}
    )
    config = stack_config(entry, kubernetes=KUBERNETES)
    return run_program("dev", config, secret_keys=["kubernetes"])


def test_a_kubernetes_projects_settings_carry_only_the_kubernetes_serving_keys(kubernetes_run):
    [settings] = [
        json.loads(r.inputs["value"])
        for r in kubernetes_run.of_type("aws:ssm/parameter:Parameter")
        if r.inputs["name"].endswith("/settings")
    ]
    assert settings["serving"] == {
        "target": "kubernetes",
        "replicas": 3,
        "cpu": "1",
        "memory": "2Gi",
    }


def test_a_kubernetes_project_has_no_sagemaker_endpoint_to_page_for(kubernetes_run):
    names = {r.name for r in kubernetes_run.resources}
    assert {"churn-pages-train-failed", "churn-pages-build-failed"} <= names
    assert "churn-pages-serve-failed" not in names


def test_kubernetes_serving_has_guaranteed_resources_and_a_ping_readiness_probe(kubernetes_run):
    deployment = kubernetes_run.named("churn-serving-deployment").inputs
    assert deployment["metadata"]["namespace"] == "sagestack-test-churn"
    assert deployment["spec"]["replicas"] == 3.0
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == KUBERNETES["modelServerImage"]
    assert container["resources"] == {
        "requests": {"cpu": "1", "memory": "2Gi"},
        "limits": {"cpu": "1", "memory": "2Gi"},
    }
    assert container["readinessProbe"]["httpGet"] == {"path": "/ping", "port": 8080.0}


def test_kubernetes_serving_has_service_autoscaler_and_disruption_budget(kubernetes_run):
    service = kubernetes_run.named("churn-serving-service").inputs
    assert service["spec"]["ports"] == [{"name": "http", "port": 80.0, "targetPort": 8080.0}]
    autoscaler = kubernetes_run.named("churn-serving-autoscaler").inputs["spec"]
    assert (autoscaler["minReplicas"], autoscaler["maxReplicas"]) == (3.0, 6.0)
    assert autoscaler["scaleTargetRef"]["kind"] == "Deployment"
    budget = kubernetes_run.named("churn-serving-disruption-budget").inputs["spec"]
    assert budget["maxUnavailable"] == 1.0
    assert budget["selector"] == deployment_selector(kubernetes_run)


def deployment_selector(run) -> dict:
    return run.named("churn-serving-deployment").inputs["spec"]["selector"]


def test_kubernetes_objects_use_the_explicit_provider_built_from_the_secret_kubeconfig(
    kubernetes_run,
):
    provider = kubernetes_run.named("platform-kubernetes")
    assert provider.type == "pulumi:providers:kubernetes"
    assert provider.inputs["kubeconfig"] == KUBERNETES["kubeconfig"]
    assert provider.secret_inputs == {"kubeconfig"}
    namespace = kubernetes_run.named("churn-serving-namespace").inputs
    assert namespace["metadata"]["name"] == "sagestack-test-churn"


def test_kubernetes_served_project_has_drift_alarms_but_no_sagemaker_endpoint_alarms(
    kubernetes_run,
):
    alarms = {
        r.inputs["name"] for r in kubernetes_run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }
    assert alarms == {
        "sagestack-test-churn-drift-tenure",
        "sagestack-test-churn-drift-monthly_charges",
        "sagestack-test-churn-drift-max",
        "sagestack-test-churn-drift-heartbeat",
    }
    rollback_alarms = kubernetes_run.named("churn-discovery-alarm-names").inputs["value"]
    assert rollback_alarms == "[]"
