"""The project template's answers file, the matrix of answers derived from it, rendering."""

from __future__ import annotations

import importlib.util
import itertools
import json
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "sagemaker-project"
ANSWERS = json.loads((TEMPLATE / "cookiecutter.json").read_text())


def load_hook(name: str):
    """A hook file of the template as a module: its rules are plain Python before rendering."""
    spec = importlib.util.spec_from_file_location(name, TEMPLATE / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PRE = load_hook("pre_gen_project")
# The data_source answer of each kind of source.
SOURCE_ANSWERS = {
    "sample": "sample",
    "s3": "s3://example-training-data/churn/",
    "feature_group": "feature-group:customers",
}


def answer_matrix() -> list[dict]:
    """Every problem type with every model (they interact); the data sources (independent of
    both) cycled through those combinations, so each is rendered at least once. The values are
    the ones the answers' hook accepts (cookiecutter takes them as plain text)."""
    pairs = list(itertools.product(PRE.PROBLEM_TYPES, PRE.MODELS))
    sources = itertools.islice(
        itertools.cycle(PRE.DATA_SOURCES), max(len(pairs), len(PRE.DATA_SOURCES))
    )
    matrix = []
    for (problem_type, model), source in zip(itertools.cycle(pairs), sources, strict=False):
        slug = f"{problem_type[:3]}-{model}-{source}".replace("_", "-")
        matrix.append(
            {
                "project_name": slug,
                "problem_type": problem_type,
                "model": model,
                "data_source": SOURCE_ANSWERS[source],
            }
        )
    return matrix


MATRIX = answer_matrix()


def package_of(answers: dict) -> str:
    return answers["project_name"].replace("-", "_")


def render(output_dir: Path, answers: dict) -> Path:
    return Path(
        cookiecutter(
            str(TEMPLATE), no_input=True, output_dir=str(output_dir), extra_context=answers
        )
    )
