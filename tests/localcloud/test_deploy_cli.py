"""`sagestack local deploy` and `sagestack demo` through click: output streams and error paths."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from sagestack import cli

# The platform with no project: its shared resources only, so the command tests stay quick.
BARE_STACK = """\
config:
  aws:region: us-east-1
  sagestack:environment: dev
  sagestack:namePrefix: bare
  sagestack:tags:
    owner: ml-platform
    cost-center: cc-1
"""


@pytest.fixture
def bare_stack(tmp_path, monkeypatch):
    (tmp_path / "Pulumi.bare.yaml").write_text(BARE_STACK)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_deploy_prints_a_line_per_resource_to_stderr_and_the_summary_to_stdout(
    fresh_local_cloud, bare_stack
):
    runner = CliRunner()
    first = runner.invoke(cli.main, ["local", "deploy", "--stack", "bare"])
    assert first.exit_code == 0, first.output
    assert "+ aws:kms/key:Key platform-key-key created" in first.stderr
    assert "+ aws:s3/bucket:Bucket platform-artifacts-bucket created" in first.stderr
    assert "local deploy of stack bare" in first.stdout
    assert (bare_stack / ".sagestack" / "deploy-bare.json").exists()

    second = runner.invoke(cli.main, ["local", "deploy", "--stack", "bare"])
    assert second.exit_code == 0, second.output
    assert "= aws:kms/key:Key platform-key-key unchanged" in second.stderr
    assert " created" not in second.stderr


def test_deploy_with_no_local_cloud_running_says_how_to_start_one(bare_stack, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    result = CliRunner().invoke(
        cli.main, ["local", "deploy", "--stack", "bare", "--endpoint", "http://127.0.0.1:9"]
    )
    assert result.exit_code == 1
    assert "no local cloud answers at http://127.0.0.1:9" in result.stderr
    assert "sagestack local up" in result.stderr
    assert "Traceback" not in result.output


def test_deploy_of_a_stack_without_a_file_lists_the_stack_files(bare_stack):
    result = CliRunner().invoke(cli.main, ["local", "deploy", "--stack", "prod"])
    assert result.exit_code == 1
    assert "no Pulumi.prod.yaml for stack 'prod'" in result.stderr
    assert "Pulumi.bare.yaml" in result.stderr


def test_deploy_of_an_invalid_config_shows_the_config_error(bare_stack, fresh_local_cloud):
    (bare_stack / "Pulumi.bare.yaml").write_text(
        BARE_STACK.replace("environment: dev", "environment: qa")
    )
    result = CliRunner().invoke(cli.main, ["local", "deploy", "--stack", "bare"])
    assert result.exit_code == 1
    assert "stack bare: the config is invalid" in result.stderr
    assert "environment" in result.stderr


def test_demo_of_a_stack_without_a_monitored_project_says_so_before_starting_anything(bare_stack):
    result = CliRunner().invoke(cli.main, ["demo", "--stack", "bare"])
    assert result.exit_code == 1
    assert "stack 'bare' has no project watched by the sagestack drift monitor" in result.stderr
    assert "local cloud at" not in result.stdout
