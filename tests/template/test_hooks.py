"""The answers' validators (pre-generation hook) and the printed stack config entry (post)."""

from __future__ import annotations

import importlib
import sys

import pytest
import yaml
from cookiecutter.exceptions import FailedHookException
from template_matrix import ANSWERS, MATRIX, PRE, load_hook, render

from sagestack_infra.config import parse_stack_config

POST = load_hook("post_gen_project")

VALID = {
    "project_name": "Churn Model",
    "project_slug": "churn-model",
    "description": "d",
    "problem_type": "binary_classification",
    "model": "xgboost",
    "metric": "auc",
    "metric_threshold": "0.9",
    "data_source": "sample",
    "target_column": "target",
    "drift_features": "tenure,monthly_charges",
    "processing_instance_type": "ml.m5.large",
    "training_instance_type": "ml.m5.xlarge",
    "endpoint_instance_type": "ml.m5.large",
    "auto_retrain": "no",
    "stack_name": "dev",
    "repository_url": "https://github.com/acme/churn-model",
}

# (changed answers, the message the hook must print): one per rule, cross-field ones included.
BAD_ANSWERS = [
    (
        {"project_slug": "Churn Model"},
        "project_slug 'Churn Model' is invalid: must be 2 to 31 of a-z, 0-9 and -, starting with "
        "a letter and not ending with -",
    ),
    ({"project_slug": "x" * 32}, f"project_slug '{'x' * 32}' is invalid"),
    ({"project_slug": "churn-"}, "project_slug 'churn-' is invalid: must be 2 to 31"),
    ({"project_name": "", "project_slug": ""}, "project_name '' is invalid: must not be empty"),
    (
        {"description": 'The "best" model'},
        'description \'The "best" model\' is invalid: must not contain " or \\ or line breaks',
    ),
    ({"description": "C:\\models"}, "description 'C:\\models' is invalid: must not contain"),
    (
        {"metric": "rmse"},
        "metric 'rmse' is invalid: a binary_classification model is scored by "
        "one of auc, accuracy, f1",
    ),
    ({"metric_threshold": "1.5"}, "metric_threshold '1.5' is invalid: auc ranges over [0, 1]"),
    (
        {
            "problem_type": "regression",
            "metric": "rmse",
            "metric_threshold": "-3",
            "drift_features": "bmi",
        },
        "metric_threshold '-3' is invalid: rmse is never negative",
    ),
    ({"metric_threshold": "high"}, "metric_threshold 'high' is invalid: must be a number"),
    (
        {"data_source": "s3"},
        "data_source 's3' is invalid: must be sample, an S3 prefix (s3://<bucket>/<prefix>/) or "
        "a platform feature group (feature-group:<name>)",
    ),
    (
        {"data_source": "s3://bucket/data"},
        "data_source 's3://bucket/data' is invalid: an S3 source must be a key prefix like",
    ),
    (
        {"data_source": "feature-group:bad name"},
        "data_source 'feature-group:bad name' is invalid: the feature group's name must match",
    ),
    (
        {"data_source": "feature-group:" + "c" * 39},
        f"data_source 'feature-group:{'c' * 39}' is invalid: the feature group's name is 39 "
        "characters; with the platform's prefix (up to 25 and a -) it must stay within "
        "SageMaker's 64, so at most 38",
    ),
    ({"target_column": "1st"}, "target_column '1st' is invalid: must be a column name"),
    (
        {"target_column": "tenure", "drift_features": "monthly_charges"},
        "target_column 'tenure' is invalid: the sample data already has a feature",
    ),
    ({"drift_features": " , "}, "drift_features ' , ' is invalid: name at least one feature"),
    (
        {"drift_features": "tenure,tenure"},
        "drift_features 'tenure,tenure' is invalid: each feature may appear once",
    ),
    (
        {"drift_features": "target"},
        "drift_features 'target' is invalid: the target column 'target' is not a feature",
    ),
    (
        {"drift_features": "mean_radius"},
        "drift_features 'mean_radius' is invalid: mean_radius not in the binary_classification "
        "sample data",
    ),
    (
        {"training_instance_type": "m5.xlarge"},
        "training_instance_type 'm5.xlarge' is invalid: is not a SageMaker TrainingInstanceType",
    ),
    (
        {"processing_instance_type": "ml.m99.huge"},
        "processing_instance_type 'ml.m99.huge' is invalid: is not a SageMaker "
        "ProcessingInstanceType",
    ),
    ({"stack_name": "Dev Stack"}, "stack_name 'Dev Stack' is invalid"),
    (
        {"repository_url": "https://example.com/acme/churn"},
        "repository_url 'https://example.com/acme/churn' is invalid: must be https://<github.com",
    ),
    # whole values only: a path, a query or a trailing newline after a valid value is refused
    (
        {"repository_url": "https://github.com/acme/churn/tree/x"},
        "repository_url 'https://github.com/acme/churn/tree/x' is invalid",
    ),
    (
        {"repository_url": "https://github.com/acme/churn?q"},
        "repository_url 'https://github.com/acme/churn?q' is invalid",
    ),
    ({"project_slug": "churn\n"}, "project_slug 'churn\n' is invalid"),
    ({"stack_name": "dev\n"}, "stack_name 'dev\n' is invalid"),
    ({"problem_type": "clustering"}, "problem_type 'clustering' is invalid: must be one of"),
    ({"model": "lightgbm"}, "model 'lightgbm' is invalid: must be one of xgboost, sklearn"),
    ({"auto_retrain": "maybe"}, "auto_retrain 'maybe' is invalid: must be yes or no"),
]


def test_default_answers_are_valid_for_every_rendered_combination():
    for answers in MATRIX:
        assert PRE.validate({**VALID, **_defaults_for(answers), **answers}) == []


@pytest.mark.parametrize(
    ("changes", "message"), BAD_ANSWERS, ids=[next(iter(changes)) for changes, _ in BAD_ANSWERS]
)
def test_each_bad_answer_gets_a_message_naming_it_and_the_rule(changes, message):
    assert any(problem.startswith(message) for problem in PRE.validate({**VALID, **changes})), (
        PRE.validate({**VALID, **changes})
    )


@pytest.mark.parametrize("value", ["yes", "no", "True", True, False, "n"])
def test_auto_retrain_takes_cookiecutters_yes_and_no_words_and_booleans(value):
    # a project generated when auto_retrain was a boolean variable keeps one in .cruft.json
    assert PRE.validate({**VALID, "auto_retrain": value}) == []


def test_instance_types_fall_back_to_their_shape_where_botocore_is_not_installed(monkeypatch):
    monkeypatch.setattr(PRE, "sagemaker_enum", lambda shape: None)
    assert PRE.validate({**VALID, "training_instance_type": "ml.m99.huge"}) == []
    [problem] = PRE.validate({**VALID, "training_instance_type": "big"})
    assert problem.startswith("training_instance_type 'big' is invalid: must match ^ml")


def test_every_problem_is_reported_at_once():
    problems = PRE.validate({**VALID, "project_slug": "X", "training_instance_type": "big"})
    assert [problem.split(" ")[0] for problem in problems] == [
        "project_slug",
        "training_instance_type",
    ]


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
    config = parse_stack_config(_stack_with(entry), stack="dev")
    (project,) = config.projects
    assert project.drift.features == ("tenure",)


def test_an_s3_projects_entry_grants_its_data_prefix_and_the_platform_accepts_it():
    answers = {
        **VALID,
        "data_source": "s3://acme-data/churn/",
        "__data_kind": "s3",
        "__s3_data_uri": "s3://acme-data/churn/",
        "__auto_retrain": "no",
    }
    entry = POST.stack_config_entry(answers)
    assert entry["dataSources"] == {"s3": ["s3://acme-data/churn/"]}
    entry["repository"]["connectionArn"] = (
        "arn:aws:codeconnections:us-east-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
    )
    (project,) = parse_stack_config(_stack_with(entry), stack="dev").projects
    assert project.data_sources.s3 == ("s3://acme-data/churn/",)


def _defaults_for(answers):
    """cookiecutter's rendered defaults of the answers that depend on the problem type."""
    regression = answers["problem_type"] == "regression"
    return {
        "metric": "rmse" if regression else "auc",
        "metric_threshold": "70" if regression else "0.75",
        "drift_features": "bmi,bp,s5" if regression else "tenure,monthly_charges,total_charges",
        "project_slug": answers["project_name"],
    }


def _stack_with(entry: dict) -> dict:
    return {
        "environment": "dev",
        "namePrefix": "sagestack-dev",
        "tags": {"owner": "ml", "cost-center": "cc-1"},
        "featureGroups": [
            {
                "name": "customers",
                "recordIdentifier": "customer_id",
                "eventTime": "event_time",
                "features": [
                    {"name": "customer_id", "type": "String"},
                    {"name": "tenure", "type": "Integral"},
                    {"name": "event_time", "type": "String"},
                ],
            }
        ],
        "projects": [entry],
    }


def test_each_fixed_choice_answers_prompt_names_every_value_the_hook_accepts():
    prompts = ANSWERS["__prompts__"]
    for answer, values in (("problem_type", PRE.PROBLEM_TYPES), ("model", PRE.MODELS)):
        assert ANSWERS[answer] in values
        assert all(value in prompts[answer] for value in values), answer
    assert "s3://" in prompts["data_source"] and "feature-group:" in prompts["data_source"]


def test_every_answer_is_prompted_in_words_not_by_its_variable_name():
    prompted = {key for key in ANSWERS if not key.startswith("_")}
    assert prompted == set(ANSWERS["__prompts__"])
