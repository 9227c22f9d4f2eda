"""The hooks run by cookiecutter itself: a bad answer stops it with nothing generated, the
post hook prints an entry the platform accepts, the hook's sample columns are the generated ones.
Kept apart from test_hooks.py's unit tests, which mutation testing runs once per mutant."""

from __future__ import annotations

import importlib
import sys

import pytest
import yaml
from cookiecutter.exceptions import FailedHookException
from hook_answers import VALID, stack_with
from template_matrix import PRE, render

from sagestack_infra.config import parse_stack_config


def test_sample_columns_the_hook_knows_are_those_of_the_bundled_datasets(tmp_path):
    from sklearn.datasets import load_diabetes

    project = render(tmp_path, VALID)
    sys.path.insert(0, str(project))
    try:
        sample = importlib.import_module("churn_model.sample_data").customers()
    finally:
        sys.path.remove(str(project))
    assert set(PRE.SAMPLE_FEATURES["binary_classification"]) == set(sample.columns) - {"target"}
    assert set(PRE.SAMPLE_FEATURES["regression"]) == set(load_diabetes().feature_names)


# Through cookiecutter itself: the answers it refused with a traceback, or with "directory
# already exists", before the hook could say what is wrong; and one the hook alone catches.
HOOK_CASES = [
    ({"problem_type": "clustering"}, "problem_type 'clustering' is invalid"),
    ({"auto_retrain": "maybe"}, "auto_retrain 'maybe' is invalid: must be yes or no"),
    ({"project_name": "", "project_slug": ""}, "project_name '' is invalid: must not be empty"),
    ({"description": 'The "best" model'}, "description 'The \"best\" model' is invalid"),
]


@pytest.mark.parametrize(
    ("changes", "message"), HOOK_CASES, ids=[next(iter(changes)) for changes, _ in HOOK_CASES]
)
def test_cookiecutter_stops_on_a_bad_answer_and_generates_nothing(
    tmp_path, capfd, changes, message
):
    with pytest.raises(FailedHookException):
        render(tmp_path, {**VALID, **changes})
    assert message in capfd.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_post_hook_prints_an_entry_the_platform_config_accepts(tmp_path, capfd):
    answers = {
        **VALID,
        "data_source": "feature-group:customers",
        "drift_features": "tenure",
        "auto_retrain": "yes",
    }
    render(tmp_path, answers)
    printed = capfd.readouterr().out
    assert printed.startswith("Generated churn-model/.")
    document = yaml.safe_load(printed[printed.index("sagestack:projects:") :])
    (entry,) = document["sagestack:projects"]
    assert entry["name"] == "churn-model" and entry["featureGroups"] == ["customers"]
    assert entry["registration"] == {"metric": "auc", "threshold": 0.9}
    assert entry["autoRetrain"] is True
    entry["repository"]["connectionArn"] = (
        "arn:aws:codeconnections:us-east-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
    )
    config = parse_stack_config(stack_with(entry), stack="dev")
    (project,) = config.projects
    assert project.drift.features == ("tenure",)
