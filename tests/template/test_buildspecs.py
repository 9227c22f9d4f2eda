"""The buildspecs CodeBuild runs, read as CodeBuild reads them: dependencies installed with uv from
a cache CodeBuild keeps between builds (a cold build's minutes of installing become seconds)."""

from __future__ import annotations

import pytest
import yaml
from template_matrix import MATRIX

from sagestack import contract

ANSWERS = MATRIX[0]


@pytest.fixture(scope="module", params=[contract.BUILD_BUILDSPEC, contract.DEPLOY_BUILDSPEC])
def buildspec(rendered, request) -> dict:
    return yaml.safe_load((rendered[ANSWERS["project_name"]] / request.param).read_text())


def test_dependencies_install_with_uv(buildspec):
    commands = buildspec["phases"]["install"]["commands"]
    installs = [command for command in commands if " install " in f" {command} "]
    words = installs[-1].split()
    assert words[:3] == ["uv", "pip", "install"] and "--system" in words and "-e" in words
    assert not [command for command in installs[1:] if command.startswith("python -m pip")]


def test_uvs_cache_is_one_of_codebuilds_cache_paths(buildspec):
    # uv's default cache is $HOME/.cache/uv, and HOME is /root in CodeBuild's images; moving it
    # (UV_CACHE_DIR) would leave the cached paths empty
    assert "UV_CACHE_DIR" not in buildspec["env"].get("variables", {})
    assert "/root/.cache/uv/**/*" in buildspec["cache"]["paths"]


def test_the_buildspec_uses_only_keys_codebuild_knows(buildspec):
    assert buildspec["version"] == 0.2
    assert set(buildspec) <= {"version", "run-as", "env", "proxy", "batch", "phases", "reports",
                              "artifacts", "cache"}  # fmt: skip
    assert set(buildspec["phases"]) <= {"install", "pre_build", "build", "post_build"}
    assert set(buildspec["cache"]) <= {"key", "fallback-keys", "action", "paths"}
