"""A generated project cannot import sagestack.contract, so it spells the names itself: here the
spellings are compared, and its drift baseline is read back by the platform's drift engine."""

from __future__ import annotations

import importlib
import json
import sys

import numpy as np
import pytest
from template_matrix import MATRIX, package_of

from sagestack import contract
from sagestack_infra.config import parse_stack_config
from sagestack_infra.program import project_settings
from sagestack_pipelines.drift import baseline as drift_baseline

ANSWERS = MATRIX[0]
CONNECTION = "arn:aws:codeconnections:us-east-1:123456789012:connection/abc"


@pytest.fixture(scope="module")
def project(rendered):
    folder = rendered[ANSWERS["project_name"]]
    sys.path.insert(0, str(folder))
    try:
        package = package_of(ANSWERS)
        yield (
            folder,
            {
                name: importlib.import_module(f"{package}.{name}")
                for name in ("platform", "pipeline", "baseline", "sample_data", "settings")
            },
        )
    finally:
        sys.path.remove(str(folder))


def test_parameter_keys_match_the_contract(project):
    _, modules = project
    assert modules["platform"].Param.ALL == contract.Param.ALL


def test_paths_env_vars_and_variant_match_the_contract(project):
    platform = project[1]["platform"]
    assert platform.parameter_path("s", "p") == contract.parameter_path("s", "p")
    assert platform.artifact_prefix("p") == contract.artifact_prefix("p")
    assert platform.data_capture_prefix("p") == contract.data_capture_prefix("p")
    assert platform.drift_baseline_key("p") == contract.drift_baseline_key("p")
    assert platform.serving_state_prefix("p") == contract.serving_state_prefix("p")
    assert (
        platform.ENV_STACK,
        platform.ENV_PROJECT,
        platform.ENV_PARAMETER_PATH,
        platform.ENV_WEBHOOK_EVENT,
        platform.ENV_MODEL_PACKAGE_ARN,
        platform.ENV_POLICY_PACK_URI,
    ) == (
        contract.ENV_STACK,
        contract.ENV_PROJECT,
        contract.ENV_PARAMETER_PATH,
        contract.ENV_WEBHOOK_EVENT,
        contract.ENV_MODEL_PACKAGE_ARN,
        contract.ENV_POLICY_PACK_URI,
    )
    assert platform.ENDPOINT_VARIANT == contract.ENDPOINT_VARIANT
    assert (
        f"{contract.POLICY_WAIVER_TAG_PREFIX}sagemaker-model-network-isolation"
    ) == platform.NETWORK_ISOLATION_WAIVER_TAG


def test_the_serving_stack_reads_every_serving_setting_the_platform_publishes(project):
    """Each value differs from the template's default, so a key spelt differently on either side
    would leave the default in place."""
    entry = {
        "name": "churn",
        "repository": {
            "provider": "github",
            "url": "https://github.com/acme/churn",
            "connectionArn": CONNECTION,
        },
        "registration": {"metric": "f1", "threshold": 0.6},
        "drift": {"features": ["tenure"]},
        "instances": {"endpoint": "ml.c5.xlarge", "endpointCount": 3},
        "serving": {
            "autoscaling": {
                "minCapacity": 2,
                "maxCapacity": 7,
                "targetInvocationsPerInstance": 250,
            },
            "rollout": {
                "type": "LINEAR",
                "stepPercent": 25,
                "waitSeconds": 120,
                "terminationWaitSeconds": 300,
            },
            "networkIsolation": False,
        },
    }
    raw = {
        "environment": "prod",
        "namePrefix": "acme",
        "tags": {"owner": "ml", "cost-center": "c1"},
        "oncall": {"emails": ["a@example.com"]},
        "projects": [entry],
    }
    [churn] = parse_stack_config(raw, stack="prod").projects
    published = json.dumps(project_settings(churn, "prod", {"sagestack:project": "churn"}))

    platform = project[1]["platform"]
    settings = platform.parse_settings("settings", published)
    assert (settings.endpoint_instance_type, settings.endpoint_instance_count) == (
        "ml.c5.xlarge",
        3,
    )
    assert (settings.metric, settings.threshold) == ("f1", 0.6)
    assert settings.autoscaling == platform.Autoscaling(
        min_instances=2, max_instances=7, target_invocations_per_instance=250
    )
    assert settings.rollout == platform.Rollout(
        type="LINEAR", step_percent=25, wait_seconds=120, termination_wait_seconds=300
    )
    assert settings.network_isolation is False
    assert settings.tags == (("sagestack:project", "churn"),)


def test_pipeline_trigger_parameter_matches_the_contract(project):
    assert project[1]["pipeline"].TRIGGER_PARAMETER == contract.PIPELINE_PARAM_TRIGGER


def test_buildspecs_are_where_the_platforms_build_projects_look(project):
    folder, _ = project
    assert (folder / contract.BUILD_BUILDSPEC).is_file()
    assert (folder / contract.DEPLOY_BUILDSPEC).is_file()


def test_the_drift_engine_reads_the_baseline_the_deploy_writes(project):
    _, modules = project
    features = (
        modules["sample_data"].sample_frame().drop(columns=[modules["settings"].TARGET_COLUMN])
    )
    written = modules["baseline"].build_baseline(features)
    read = drift_baseline.from_json(written)
    reference = drift_baseline.build_baseline(features)
    assert read.features == reference.features
    for name in features.columns:
        np.testing.assert_allclose(read.numeric[name].bin_edges, reference.numeric[name].bin_edges)
        np.testing.assert_allclose(
            read.numeric[name].bin_fractions, reference.numeric[name].bin_fractions
        )
        np.testing.assert_array_equal(
            read.numeric[name].reference_sample, reference.numeric[name].reference_sample
        )
        assert read.numeric[name].summary == pytest.approx(reference.numeric[name].summary)
