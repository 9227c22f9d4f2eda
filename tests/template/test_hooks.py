"""The answers' validators (pre-generation hook) and the printed stack config entry (post)."""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

import pytest
from hook_answers import VALID, stack_with
from template_matrix import ANSWERS, MATRIX, PRE, TEMPLATE, load_hook

from sagestack_infra.config import parse_stack_config

POST = load_hook("post_gen_project")

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
    ({"metric_threshold": "-0.1"}, "metric_threshold '-0.1' is invalid: auc ranges over [0, 1]"),
    (
        {
            "problem_type": "regression",
            "metric": "rmse",
            "metric_threshold": "-3",
            "drift_features": "bmi",
        },
        "metric_threshold '-3' is invalid: rmse is never negative",
    ),
    (
        {
            "problem_type": "regression",
            "metric": "mae",
            "metric_threshold": "-0.5",
            "drift_features": "bmi",
        },
        "metric_threshold '-0.5' is invalid: mae is never negative",
    ),
    ({"metric_threshold": "high"}, "metric_threshold 'high' is invalid: must be a number"),
    (
        {"data_source": "s3"},
        "data_source 's3' is invalid: must be sample, an S3 prefix (s3://<bucket>/<prefix>/) or "
        "a platform feature group (feature-group:<name>)",
    ),
    (
        {"data_source": "samples"},
        "data_source 'samples' is invalid: must be sample, an S3 prefix",
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


REGRESSION = {"problem_type": "regression", "drift_features": "bmi"}


@pytest.mark.parametrize(
    "answers",
    [
        {"metric": "auc", "metric_threshold": "0"},
        {"metric": "auc", "metric_threshold": "1"},
        {"metric": "f1", "metric_threshold": "1.0"},
        {**REGRESSION, "metric": "r2", "metric_threshold": "0.0"},
        {**REGRESSION, "metric": "rmse", "metric_threshold": "0"},
        {**REGRESSION, "metric": "mae", "metric_threshold": "0.0"},
    ],
    ids=["auc 0", "auc 1", "f1 1.0", "r2 0.0", "rmse 0", "mae 0.0"],
)
def test_a_threshold_on_the_closed_end_of_its_range_is_valid(answers):
    assert PRE.validate({**VALID, **answers}) == []


def run_rendered_hook(tmp_path: Path, answers: dict) -> int:
    """The pre hook as cookiecutter runs it: rendered with the answers, then run as a script
    (here beside a cookiecutter without botocore, which keeps the run short)."""
    source = (TEMPLATE / "hooks" / "pre_gen_project.py").read_text()
    hook = tmp_path / "pre_gen_project.py"
    hook.write_text(source.replace("{{ cookiecutter | jsonify }}", json.dumps(answers)))
    with pytest.raises(SystemExit) as exit_status:
        runpy.run_path(str(hook), run_name="__main__")
    return exit_status.value.code


@pytest.fixture
def without_botocore(monkeypatch):
    monkeypatch.setitem(sys.modules, "botocore.session", None)


def test_the_rendered_hook_prints_each_problem_and_fails(tmp_path, capsys, without_botocore):
    assert run_rendered_hook(tmp_path, {**VALID, "project_slug": "X", "model": "lgbm"}) == 1
    assert capsys.readouterr().err.splitlines() == [
        "ERROR: project_slug 'X' is invalid: must be 2 to 31 of a-z, 0-9 and -, starting with a "
        "letter and not ending with - (a platform project name)",
        "ERROR: model 'lgbm' is invalid: must be one of xgboost, sklearn",
    ]


def test_the_rendered_hook_passes_valid_answers_silently(tmp_path, capsys, without_botocore):
    assert run_rendered_hook(tmp_path, VALID) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"data_source": "feature-group:customers", "drift_features": "plan,region"},
        {"data_source": "feature-group:" + "c" * 38},
        {"data_source": "s3://acme-training-data/churn/customers/2024/"},
    ],
    ids=["sample", "feature group", "feature group of 38 characters", "long S3 prefix"],
)
def test_answers_as_cookiecutter_passes_them_in_json_are_valid(changes):
    assert PRE.validate(json.loads(json.dumps({**VALID, **changes}))) == []


def test_without_botocore_the_hook_lists_no_instance_types(without_botocore):
    assert load_hook("pre_gen_project").sagemaker_enum("TrainingInstanceType") is None


def test_every_problem_is_reported_at_once():
    problems = PRE.validate({**VALID, "project_slug": "X", "training_instance_type": "big"})
    assert [problem.split(" ")[0] for problem in problems] == [
        "project_slug",
        "training_instance_type",
    ]


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
    (project,) = parse_stack_config(stack_with(entry), stack="dev").projects
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


def test_each_fixed_choice_answers_prompt_names_every_value_the_hook_accepts():
    prompts = ANSWERS["__prompts__"]
    for answer, values in (("problem_type", PRE.PROBLEM_TYPES), ("model", PRE.MODELS)):
        assert ANSWERS[answer] in values
        assert all(value in prompts[answer] for value in values), answer
    assert "s3://" in prompts["data_source"] and "feature-group:" in prompts["data_source"]


def test_every_answer_is_prompted_in_words_not_by_its_variable_name():
    prompted = {key for key in ANSWERS if not key.startswith("_")}
    assert prompted == set(ANSWERS["__prompts__"])
