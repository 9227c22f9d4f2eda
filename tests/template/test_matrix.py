"""The matrix covers what the issue asks: each problem type with each model, each data source."""

from __future__ import annotations

import itertools

from template_matrix import MATRIX, PRE


def test_matrix_renders_every_problem_type_with_every_model():
    rendered = {(answers["problem_type"], answers["model"]) for answers in MATRIX}
    assert rendered == set(itertools.product(PRE.PROBLEM_TYPES, PRE.MODELS))


def test_matrix_renders_every_data_source():
    kinds = {PRE.data_source_kind(answers["data_source"]) for answers in MATRIX}
    assert kinds == set(PRE.DATA_SOURCES)


def test_matrix_project_names_are_distinct_so_their_packages_can_share_a_process():
    assert len({answers["project_name"] for answers in MATRIX}) == len(MATRIX)
