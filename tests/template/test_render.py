"""Each answer set renders the exact project, with nothing left of the template language, lint
clean, and its own tests pass (real training on the sample data, a definition built offline)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from template_matrix import ANSWERS, MATRIX, package_of

PROJECT_FILES = (
    ".gitignore",
    "README.md",
    "pyproject.toml",
    "buildspec.yml",
    "buildspec-deploy.yml",
    "Pulumi.yaml",
    "serving/__main__.py",
    "steps/dataset.py",
    "steps/preprocess.py",
    "steps/train.py",
    "steps/evaluate.py",
    "steps/inference.py",
    "{package}/__init__.py",
    "{package}/settings.py",
    "{package}/platform.py",
    "{package}/sample_data.py",
    "{package}/data_source.py",
    "{package}/pipeline.py",
    "{package}/run.py",
    "{package}/deploy.py",
    "{package}/serving_stack.py",
    "{package}/policy_pack.py",
    "{package}/serving_backend.py",
    "{package}/baseline.py",
    "tests/conftest.py",
    "tests/test_steps.py",
    "tests/test_inference.py",
    "tests/test_pipeline.py",
    "tests/test_platform.py",
    "tests/test_run.py",
    "tests/test_deploy.py",
    "tests/test_serving_stack.py",
    "tests/test_data_source.py",
    "tests/test_policy_pack.py",
)
NAMES = [answers["project_name"] for answers in MATRIX]


# Written into a rendered project later, when its own tests run there; not the template's output.
RUN_CACHES = frozenset({"__pycache__", ".pytest_cache", ".ruff_cache"})


def files_of(folder: Path) -> set[str]:
    return {
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and not RUN_CACHES.intersection(path.relative_to(folder).parts)
    }


@pytest.mark.parametrize("answers", MATRIX, ids=NAMES)
def test_render_writes_exactly_the_project_files(rendered, answers):
    expected = {name.format(package=package_of(answers)) for name in PROJECT_FILES}
    assert files_of(rendered[answers["project_name"]]) == expected


@pytest.mark.parametrize("name", NAMES)
def test_render_leaves_no_template_syntax(rendered, name):
    project = rendered[name]
    leftovers = [
        file
        for file in files_of(project)
        if "{{" in (text := (project / file).read_text()) or "{%" in text
    ]
    assert leftovers == []


@pytest.mark.parametrize("name", NAMES)
def test_generated_code_is_ruff_clean(rendered, name):
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(ruff), "check", "--no-cache", "."], cwd=rendered[name], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


# The default answers' project (the first combination) runs these same tests inside its push
# build, as CodeBuild runs them (tests/e2e/test_push_builds.py, and `make demo`): not again here.
BUILT_ELSEWHERE = {"bin-xgboost-sample"}


def test_the_combination_built_elsewhere_has_the_templates_default_answers():
    [combination] = [answers for answers in MATRIX if answers["project_name"] in BUILT_ELSEWHERE]
    for key in ("problem_type", "model", "data_source"):
        assert combination[key] == ANSWERS[key], key


@pytest.mark.slow
@pytest.mark.parametrize("name", [name for name in NAMES if name not in BUILT_ELSEWHERE])
def test_generated_project_tests_pass(rendered, name):
    # The generated project starts its own local AWS and blocks telemetry itself: it inherits
    # neither the suite's endpoint nor its SDK config.
    inherited = ("AWS_ENDPOINT_URL", "SAGEMAKER_USER_CONFIG_OVERRIDE")
    environ = {key: value for key, value in os.environ.items() if key not in inherited}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-W", "ignore::DeprecationWarning"],
        cwd=rendered[name],
        capture_output=True,
        text=True,
        env=environ,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
