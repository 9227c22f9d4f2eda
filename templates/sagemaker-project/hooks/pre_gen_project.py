"""Validate the answers before a single file is written.

Every rule is a small function returning messages ``<answer> '<value>' is invalid: <rule>``; the
hook prints all of them and exits 1, so cookiecutter (and cruft) stop with nothing generated.
The answers with a fixed set of values (problem type, model, data source, auto retrain) are plain
text for cookiecutter, not choice or boolean variables: cookiecutter itself refuses a bad value for
those with a Python traceback before any hook runs, where this hook's one-line message says what
to do.

The rules live in this file rather than in a module beside the template because cookiecutter runs
a hook as a copy in a temporary folder, and under ``cruft`` nothing in the hook's context says
where the template is: a sibling module could not be found. The file is plain Python before
rendering (the answers arrive as one JSON string), so ``tests/template`` imports it and unit-tests
each rule.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable, Mapping

ANSWERS_JSON = r"""{{ cookiecutter | jsonify }}"""

PROBLEM_TYPES = ("binary_classification", "regression")
MODELS = ("xgboost", "sklearn")
# data_source is "sample", an S3 prefix or feature-group:<name>; the kind is derived from it
DATA_SOURCES = ("sample", "s3", "feature_group")
FEATURE_GROUP_SOURCE = "feature-group:"
# cookiecutter's own yes/no words (YesNoPrompt); a project generated before auto_retrain was
# text carries a boolean in its .cruft.json
YES = ("1", "true", "t", "yes", "y", "on")
NO = ("0", "false", "f", "no", "n", "off")
METRICS = {
    "binary_classification": ("auc", "accuracy", "f1"),
    "regression": ("rmse", "mae", "r2"),
}
UNIT_INTERVAL_METRICS = ("auc", "accuracy", "f1", "r2")
# Column names of the bundled sample datasets (the generated customers of sample_data.py, and
# scikit-learn's load_diabetes); tests/template checks them against the generated sample.
SAMPLE_FEATURES = {
    "binary_classification": (
        "tenure", "monthly_charges", "total_charges", "support_calls", "senior_citizen",
        "contract_months",
    ),
    "regression": ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"),
}

SLUG = re.compile(r"^[a-z][a-z0-9-]{0,29}[a-z0-9]$")  # the platform's project name rule
COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
INSTANCE_TYPE = re.compile(r"^ml\.[a-z0-9]+\.[a-z0-9]+$")
# The platform grants a key prefix (ending in /), never a whole bucket: sagestack:dataSources.
S3_PREFIX = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^\s]+/$")
FEATURE_GROUP = re.compile(r"^[a-zA-Z0-9]([-a-zA-Z0-9]){0,62}$")  # the platform's rule
# SageMaker allows 64 characters, and the platform names the group <namePrefix>-<name> with a
# namePrefix of up to 25 characters.
FEATURE_GROUP_MAX = 64 - 25 - 1
STACK = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
REPOSITORY = re.compile(r"^https://(github\.com|gitlab\.com|bitbucket\.org)/[\w.-]+/[\w.-]+$")
# Written into pyproject.toml as a TOML basic string, where " and \ would end or escape it.
DESCRIPTION_FORBIDDEN = re.compile(r'["\\\x00-\x1f\x7f]')

# Each instance answer and the SageMaker API enum (botocore's) that lists the types it takes.
INSTANCE_ANSWERS = {
    "processing_instance_type": "ProcessingInstanceType",
    "training_instance_type": "TrainingInstanceType",
    "endpoint_instance_type": "ProductionVariantInstanceType",
}

Answers = Mapping[str, object]


def invalid(answer: str, value: object, rule: str) -> str:
    return f"{answer} '{value}' is invalid: {rule}"


def split_features(text: str) -> list[str]:
    return [name.strip() for name in str(text).split(",") if name.strip()]


def check_name(answers: Answers) -> list[str]:
    problems = []
    if not str(answers["project_name"]).strip():
        problems.append(invalid("project_name", answers["project_name"], "must not be empty"))
    slug = answers["project_slug"]
    if not SLUG.fullmatch(str(slug)):
        rule = (
            "must be 2 to 31 of a-z, 0-9 and -, starting with a letter and not ending with - "
            "(a platform project name)"
        )
        problems.append(invalid("project_slug", slug, rule))
    description = str(answers["description"])
    if DESCRIPTION_FORBIDDEN.search(description):
        rule = 'must not contain " or \\ or line breaks (it is written into pyproject.toml)'
        problems.append(invalid("description", description, rule))
    return problems


def check_choices(answers: Answers) -> list[str]:
    choices = {"problem_type": PROBLEM_TYPES, "model": MODELS}
    problems = [
        invalid(answer, answers[answer], f"must be one of {', '.join(allowed)}")
        for answer, allowed in choices.items()
        if answers[answer] not in allowed
    ]
    retrain = answers["auto_retrain"]
    if not isinstance(retrain, bool) and str(retrain).lower() not in YES + NO:
        problems.append(invalid("auto_retrain", retrain, "must be yes or no"))
    return problems


def data_source_kind(source: object) -> str | None:
    """sample, s3 or feature_group; None for anything else."""
    text = str(source)
    if text == "sample":
        return "sample"
    if text.startswith("s3://"):
        return "s3"
    if text.startswith(FEATURE_GROUP_SOURCE):
        return "feature_group"
    return None


def check_metric(answers: Answers) -> list[str]:
    metric, problem_type = answers["metric"], answers["problem_type"]
    allowed = METRICS.get(str(problem_type), ())
    if metric not in allowed:
        return [
            invalid(
                "metric",
                metric,
                f"a {problem_type} model is scored by one of {', '.join(allowed) or '(none)'}",
            )
        ]
    return check_threshold(str(metric), answers["metric_threshold"])


def check_threshold(metric: str, raw: object) -> list[str]:
    try:
        threshold = float(str(raw))
    except ValueError:
        return [invalid("metric_threshold", raw, "must be a number")]
    if metric in UNIT_INTERVAL_METRICS and not 0 <= threshold <= 1:
        return [invalid("metric_threshold", raw, f"{metric} ranges over [0, 1]")]
    if metric not in UNIT_INTERVAL_METRICS and threshold < 0:
        return [invalid("metric_threshold", raw, f"{metric} is never negative")]
    return []


def check_data_source(answers: Answers) -> list[str]:
    source = str(answers["data_source"])
    kind = data_source_kind(source)
    if kind is None:
        rule = (
            "must be sample, an S3 prefix (s3://<bucket>/<prefix>/) or a platform feature group "
            f"({FEATURE_GROUP_SOURCE}<name>)"
        )
        return [invalid("data_source", source, rule)]
    if kind == "s3" and not S3_PREFIX.fullmatch(source):
        rule = "an S3 source must be a key prefix like s3://bucket/path/ (ending in /)"
        return [invalid("data_source", source, rule)]
    group = source.removeprefix(FEATURE_GROUP_SOURCE)
    if kind == "feature_group" and not FEATURE_GROUP.fullmatch(group):
        rule = f"the feature group's name must match {FEATURE_GROUP.pattern}"
        return [invalid("data_source", source, rule)]
    if kind == "feature_group" and len(group) > FEATURE_GROUP_MAX:
        rule = (
            f"the feature group's name is {len(group)} characters; with the platform's prefix "
            f"(up to 25 and a -) it must stay within SageMaker's 64, so at most {FEATURE_GROUP_MAX}"
        )
        return [invalid("data_source", source, rule)]
    return []


def check_columns(answers: Answers) -> list[str]:
    target, raw_features = answers["target_column"], answers["drift_features"]
    if not COLUMN.fullmatch(str(target)):
        rule = f"must be a column name matching {COLUMN.pattern}"
        return [invalid("target_column", target, rule)]
    features = split_features(str(raw_features))
    if not features:
        return [invalid("drift_features", raw_features, "name at least one feature")]
    rules: list[tuple[Callable[[list[str]], bool], str]] = [
        (lambda names: len(set(names)) != len(names), "each feature may appear once"),
        (lambda names: target in names, f"the target column '{target}' is not a feature"),
        (
            lambda names: not all(COLUMN.fullmatch(name) for name in names),
            f"each feature must be a column name matching {COLUMN.pattern}",
        ),
    ]
    problems = [
        invalid("drift_features", raw_features, rule) for broken, rule in rules if broken(features)
    ]
    if data_source_kind(answers["data_source"]) == "sample" and not problems:
        problems += check_sample_columns(answers, target, features)
    return problems


def check_sample_columns(answers: Answers, target: object, features: list[str]) -> list[str]:
    columns = SAMPLE_FEATURES.get(str(answers["problem_type"]), ())
    unknown = [name for name in features if name not in columns]
    problems = []
    if unknown:
        rule = (
            f"{', '.join(unknown)} not in the {answers['problem_type']} sample data "
            f"(columns: {', '.join(columns)})"
        )
        problems.append(invalid("drift_features", answers["drift_features"], rule))
    if target in columns:
        rule = "the sample data already has a feature of that name; pick another"
        problems.append(invalid("target_column", target, rule))
    return problems


def check_platform(answers: Answers) -> list[str]:
    problems = [
        problem
        for answer, enum in INSTANCE_ANSWERS.items()
        if (problem := check_instance_type(answer, str(answers[answer]), enum))
    ]
    if not STACK.fullmatch(str(answers["stack_name"])):
        rule = f"must match {STACK.pattern} (a Pulumi stack name usable in an SSM path)"
        problems.append(invalid("stack_name", answers["stack_name"], rule))
    if not REPOSITORY.fullmatch(str(answers["repository_url"])):
        rule = "must be https://<github.com|gitlab.com|bitbucket.org>/<owner>/<repository>"
        problems.append(invalid("repository_url", answers["repository_url"], rule))
    return problems


def check_instance_type(answer: str, value: str, enum: str) -> str | None:
    """An instance type SageMaker offers for the job (botocore lists them), or, where botocore
    is not installed beside cookiecutter, at least one shaped like ml.<family>.<size>."""
    offered = sagemaker_enum(enum)
    if offered is None:
        if INSTANCE_TYPE.fullmatch(value):
            return None
        return invalid(answer, value, f"must match {INSTANCE_TYPE.pattern}, e.g. ml.m5.large")
    if value in offered:
        return None
    return invalid(answer, value, f"is not a SageMaker {enum} (e.g. ml.m5.large)")


@functools.cache
def sagemaker_enum(shape: str) -> frozenset[str] | None:
    try:
        import botocore.session
    except ImportError:
        return None
    model = botocore.session.get_session().get_service_model("sagemaker")
    return frozenset(model.shape_for(shape).enum)


CHECKS = (check_name, check_choices, check_metric, check_data_source, check_columns, check_platform)


def validate(answers: Answers) -> list[str]:
    """Every problem with ``answers``, one message each; empty when they are all valid."""
    return [problem for check in CHECKS for problem in check(answers)]


def main() -> int:
    problems = validate(json.loads(ANSWERS_JSON))
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
