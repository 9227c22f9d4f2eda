"""Renders of the project template, shared by the template tests of a session."""

from __future__ import annotations

from pathlib import Path

import pytest
from template_matrix import MATRIX, render


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """Each answer set of the matrix, rendered once per session: project name -> folder."""
    root = tmp_path_factory.mktemp("rendered")
    return {answers["project_name"]: render(root, answers) for answers in MATRIX}
