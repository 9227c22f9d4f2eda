"""A generated project cannot import sagestack.contract, so it spells the names itself: here the
spellings are compared, and its drift baseline is read back by the platform's drift engine."""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest
from template_matrix import MATRIX, package_of

from sagestack import contract
from sagestack_pipelines.drift import baseline as drift_baseline

ANSWERS = MATRIX[0]


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
    ) == (
        contract.ENV_STACK,
        contract.ENV_PROJECT,
        contract.ENV_PARAMETER_PATH,
        contract.ENV_WEBHOOK_EVENT,
        contract.ENV_MODEL_PACKAGE_ARN,
    )
    assert platform.ENDPOINT_VARIANT == contract.ENDPOINT_VARIANT


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
