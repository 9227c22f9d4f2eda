"""The project template's answers file, the matrix of answers derived from it, rendering."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "sagemaker-project"
ANSWERS = json.loads((TEMPLATE / "cookiecutter.json").read_text())
# Answers a data source needs besides its name.
SOURCE_ANSWERS = {
    "sample": {},
    "s3": {"s3_data_uri": "s3://example-training-data/churn/"},
    "feature_group": {"feature_group_name": "customers"},
}


def answer_matrix() -> list[dict]:
    """Every problem type with every model (they interact); the data sources (independent of
    both) cycled through those combinations, so each is rendered at least once."""
    pairs = list(itertools.product(ANSWERS["problem_type"], ANSWERS["model"]))
    sources = itertools.islice(
        itertools.cycle(ANSWERS["data_source"]), max(len(pairs), len(ANSWERS["data_source"]))
    )
    matrix = []
    for (problem_type, model), source in zip(itertools.cycle(pairs), sources, strict=False):
        slug = f"{problem_type[:3]}-{model}-{source}".replace("_", "-")
        matrix.append(
            {
                "project_name": slug,
                "problem_type": problem_type,
                "model": model,
                "data_source": source,
                **SOURCE_ANSWERS[source],
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
