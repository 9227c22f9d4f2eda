"""A generated project records its template version, and a template change reaches it through
``cruft update`` while the data scientist's own edits survive."""

from __future__ import annotations

import json
import shutil
import subprocess

import cruft
import pytest
from template_matrix import TEMPLATE

TEMPLATE_CHANGE = "Template note: retraining guide added in a later template version."
LOCAL_EDIT = "# Local edit: our team's own tuning notes.\n"


def git(folder, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=folder, check=True, capture_output=True, text=True
    ).stdout.strip()


def commit_all(folder, message: str) -> str:
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", message)
    return git(folder, "rev-parse", "HEAD")


def project_folder(template_repo):
    """The template's one folder of project files (named after the rendered project slug)."""
    [folder] = template_repo.glob("{{*}}")
    return folder


@pytest.fixture
def git_identity(monkeypatch):
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "sagestack tests")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "tests@example.com")


@pytest.fixture
def template_repo(tmp_path, git_identity):
    """cruft reads templates from git: a repository holding a copy of the template."""
    repo = tmp_path / "template"
    shutil.copytree(TEMPLATE, repo, ignore=shutil.ignore_patterns("__pycache__"))
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "template v1")
    return repo


@pytest.fixture
def project(tmp_path, template_repo):
    folder = cruft.create(
        str(template_repo),
        output_dir=tmp_path / "projects",
        no_input=True,
        extra_context={"project_name": "cruft-demo"},
    )
    git(folder, "init", "-q", "-b", "main")
    commit_all(folder, "generated")
    return folder


def test_the_project_records_the_template_commit_and_answers(project, template_repo):
    record = json.loads((project / ".cruft.json").read_text())
    assert record["commit"] == git(template_repo, "rev-parse", "HEAD")
    assert record["context"]["cookiecutter"]["project_slug"] == "cruft-demo"
    assert cruft.check(project)


def test_a_template_change_arrives_and_local_edits_survive(project, template_repo):
    train = project / "steps" / "train.py"
    train.write_text(train.read_text() + LOCAL_EDIT)
    commit_all(project, "tune")
    readme = project_folder(template_repo) / "README.md"
    readme.write_text(readme.read_text() + f"\n{TEMPLATE_CHANGE}\n")
    new_commit = commit_all(template_repo, "template v2")
    assert not cruft.check(project)

    assert cruft.update(project, skip_apply_ask=True)

    assert TEMPLATE_CHANGE in (project / "README.md").read_text()
    assert train.read_text().endswith(LOCAL_EDIT)
    assert json.loads((project / ".cruft.json").read_text())["commit"] == new_commit
    assert cruft.check(project)


def test_a_conflicting_template_change_leaves_git_conflict_markers_as_the_readme_says(
    project, template_repo
):
    readme = project / "README.md"
    first_line = readme.read_text().splitlines()[0]
    readme.write_text(readme.read_text().replace(first_line, "# Our own title", 1))
    commit_all(project, "retitle")
    template_readme = project_folder(template_repo) / "README.md"
    template_readme.write_text(
        template_readme.read_text().replace(
            "{{ cookiecutter.project_name }}", "Project: {{ cookiecutter.project_name }}", 1
        )
    )
    commit_all(template_repo, "template v2")

    cruft.update(project, skip_apply_ask=True)

    text = readme.read_text()
    assert "<<<<<<<" in text and ">>>>>>>" in text
    assert not list(project.rglob("*.rej"))
    assert "git conflict markers" in " ".join(text.split())  # what the README tells
