"""The local ``pulumi`` command: the CLI's commands a deploy build uses, its output and its exit
codes, over the applier and the local cloud."""

from __future__ import annotations

import io
import json
import textwrap
import zipfile

import boto3
import pytest

from sagestack.deploy.pulumi_cli import commands, exit_codes
from sagestack_infra.policy_bundle import policy_pack_bundle

TAGS = {"owner": "ml", "cost-center": "cc-1", "environment": "dev"}
PROGRAM = """
import pulumi
import pulumi_aws as aws

config = pulumi.Config()
tags = {} if config.get_bool("untagged") else TAGS
parameter = aws.ssm.Parameter(
    "greeting", name="/cli-test/greeting", type="String", value=config.require("greeting"),
    tags=tags,
)
# an input made of another resource's output that only the real resource has
aws.ssm.Parameter(
    "greeting-version", name="/cli-test/version", type="String", tags=tags,
    value=parameter.version.apply(lambda version: f"greeting version {version}"),
)
pulumi.export("parameterName", parameter.name)
pulumi.export("answer", 42)
"""


@pytest.fixture
def project(fresh_local_cloud, tmp_path, monkeypatch):
    folder = tmp_path / "project"
    (folder / "program").mkdir(parents=True)
    (folder / "Pulumi.yaml").write_text("name: cli-test\nruntime: python\nmain: program/\n")
    (folder / "program" / "__main__.py").write_text(f"TAGS = {TAGS!r}\n" + textwrap.dedent(PROGRAM))
    monkeypatch.chdir(folder)
    monkeypatch.setenv("PULUMI_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)
    return folder


def pulumi(capsys, *argv: str) -> tuple[int, str, str]:
    code = commands.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _ready(capsys, project, tmp_path) -> None:
    assert pulumi(capsys, "login", f"file://{tmp_path}/state")[0] == 0
    assert pulumi(capsys, "stack", "select", "--create", "dev")[0] == 0
    assert pulumi(capsys, "config", "set", "greeting", "hello")[0] == 0


def test_up_creates_the_stack_and_prints_pulumis_summary(capsys, project, tmp_path):
    _ready(capsys, project, tmp_path)

    code, out, _ = pulumi(capsys, "up", "--yes")

    assert code == exit_codes.SUCCESS
    assert out.startswith("Updating (dev):")
    assert "Resources:\n    + 2 created\n" in out
    assert "Duration: " in out
    parameter = boto3.client("ssm").get_parameter(Name="/cli-test/greeting")["Parameter"]
    assert parameter["Value"] == "hello"
    stack_file = (project / "Pulumi.dev.yaml").read_text()
    assert "cli-test:greeting: hello" in stack_file


def test_a_second_up_changes_what_changed_and_preview_shows_it_first(capsys, project, tmp_path):
    _ready(capsys, project, tmp_path)
    pulumi(capsys, "up", "--yes")
    pulumi(capsys, "config", "set", "greeting", "bonjour")

    previewed = pulumi(capsys, "preview")
    parameter = boto3.client("ssm").get_parameter(Name="/cli-test/greeting")["Parameter"]
    updated = pulumi(capsys, "up", "--yes")
    unchanged = pulumi(capsys, "up", "--yes")

    assert previewed[0] == 0
    assert " ~  aws:ssm/parameter:Parameter greeting update" in previewed[1]
    assert "Resources:\n    ~ 1 to update\n    1 unchanged\n" in previewed[1]
    assert parameter["Value"] == "hello"  # preview changed nothing
    assert "Resources:\n    ~ 2 updated\n" in updated[1]  # the version moved the second
    assert "Resources:\n    2 unchanged\n" in unchanged[1]


def test_a_preview_right_after_an_up_finds_nothing_to_change(capsys, project, tmp_path):
    _ready(capsys, project, tmp_path)
    pulumi(capsys, "up", "--yes")

    code, out, _ = pulumi(capsys, "preview")

    assert code == 0
    assert "Resources:\n    2 unchanged\n" in out


def test_stack_output_prints_the_stacks_outputs(capsys, project, tmp_path):
    _ready(capsys, project, tmp_path)
    pulumi(capsys, "up", "--yes")

    one = pulumi(capsys, "stack", "output", "parameterName")
    number = pulumi(capsys, "stack", "output", "answer")
    everything = pulumi(capsys, "stack", "output", "--json")
    missing = pulumi(capsys, "stack", "output", "nothing")

    assert one[1] == "/cli-test/greeting\n"
    assert number[1] == "42\n"
    assert json.loads(everything[1]) == {"answer": 42, "parameterName": "/cli-test/greeting"}
    assert missing[0] == exit_codes.GENERIC
    assert "current stack does not have output property 'nothing'" in missing[2]


def test_destroy_deletes_what_the_stack_made(capsys, project, tmp_path, aws_error):
    _ready(capsys, project, tmp_path)
    pulumi(capsys, "up", "--yes")

    code, out, _ = pulumi(capsys, "destroy", "--yes")

    assert code == 0
    assert "Resources:\n    - 2 deleted\n" in out
    assert "run 'pulumi stack rm dev'" in out
    error = aws_error(lambda: boto3.client("ssm").get_parameter(Name="/cli-test/greeting"))
    assert error["Error"]["Code"] == "ParameterNotFound"


def test_the_policy_pack_refuses_a_violating_stack_before_anything_exists(
    capsys, project, tmp_path, aws_error
):
    _ready(capsys, project, tmp_path)
    pulumi(capsys, "config", "set", "untagged", "true")

    code, _, err = pulumi(capsys, "up", "--yes")

    assert code == exit_codes.POLICY
    assert "required-tags" in err and "greeting" in err
    error = aws_error(lambda: boto3.client("ssm").get_parameter(Name="/cli-test/greeting"))
    assert error["Error"]["Code"] == "ParameterNotFound"


def test_a_policy_pack_folder_without_its_project_file_is_refused_before_anything_exists(
    capsys, project, tmp_path, aws_error
):
    _ready(capsys, project, tmp_path)
    (tmp_path / "not-a-pack").mkdir()

    code, _, err = pulumi(capsys, "up", "--yes", "--policy-pack", str(tmp_path / "not-a-pack"))

    assert code == exit_codes.CONFIG
    assert f"policy pack '{tmp_path / 'not-a-pack'}' is invalid: no PulumiPolicy.yaml" in err
    error = aws_error(lambda: boto3.client("ssm").get_parameter(Name="/cli-test/greeting"))
    assert error["Error"]["Code"] == "ParameterNotFound"


def test_a_published_pack_folder_is_named_and_its_policies_run(capsys, project, tmp_path):
    _ready(capsys, project, tmp_path)
    pack = tmp_path / "pack"
    zipfile.ZipFile(io.BytesIO(policy_pack_bundle().data)).extractall(pack)
    pulumi(capsys, "config", "set", "untagged", "true")

    code, out, err = pulumi(capsys, "up", "--yes", "--policy-pack", str(pack))

    assert f"Policy pack {pack}: the platform's policies run in-process" in out
    assert code == exit_codes.POLICY and "required-tags" in err


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (("up",), exit_codes.CONFIG, "--yes or --skip-preview must be passed in"),
        (("destroy",), exit_codes.CONFIG, "--yes or --skip-preview must be passed in"),
        (("up", "--yes", "--stack", "prod"), exit_codes.STACK_NOT_FOUND, "no stack named 'prod'"),
        (("config", "set", "--secret", "k", "v"), exit_codes.CONFIG, "--secret is not supported"),
    ],
)
def test_the_clis_exit_codes(capsys, project, tmp_path, argv, code, message):
    _ready(capsys, project, tmp_path)

    result = pulumi(capsys, *argv)

    assert result[0] == code
    assert message in result[2]


def test_without_a_login_or_a_selected_stack_the_command_says_what_to_run(
    capsys, project, tmp_path
):
    not_logged_in = pulumi(capsys, "stack", "select", "dev")
    pulumi(capsys, "login", f"file://{tmp_path}/state")
    unknown = pulumi(capsys, "stack", "select", "dev")
    unselected = pulumi(capsys, "preview")
    elsewhere = pulumi(capsys, "login", "https://app.pulumi.com")

    assert not_logged_in[0] == exit_codes.AUTH and "pulumi login" in not_logged_in[2]
    assert unknown[0] == exit_codes.STACK_NOT_FOUND and "no stack named 'dev'" in unknown[2]
    assert unselected[0] == exit_codes.STACK_NOT_FOUND and "pulumi stack select" in unselected[2]
    assert elsewhere[0] == exit_codes.AUTH and "s3://" in elsewhere[2]


def test_state_lives_in_the_s3_backend_it_logged_in_to(capsys, project):
    boto3.client("s3").create_bucket(Bucket="pulumi-state")
    pulumi(capsys, "login", "s3://pulumi-state/projects/cli")
    pulumi(capsys, "stack", "select", "--create", "dev")
    pulumi(capsys, "config", "set", "greeting", "hello")

    code = pulumi(capsys, "up", "--yes")[0]

    assert code == 0
    stored = boto3.client("s3").get_object(
        Bucket="pulumi-state", Key="projects/cli/.sagestack-local/stacks/cli-test/dev.json"
    )
    resources = json.loads(stored["Body"].read())["resources"]
    assert {r["name"] for r in resources.values()} == {"greeting", "greeting-version"}


@pytest.mark.parametrize(
    ("counts", "preview", "expected"),
    [
        ({"create": 3}, False, "Resources:\n    + 3 created"),
        (
            {"create": 3, "update": 1, "same": 2},
            False,
            "Resources:\n    + 3 created\n    ~ 1 updated\n    4 changes. 2 unchanged",
        ),
        (
            {"replace": 2, "delete": 1},
            True,
            "Resources:\n    - 1 to delete\n    +-2 to replace\n    3 changes",
        ),
        ({"same": 5}, True, "Resources:\n    5 unchanged"),
    ],
)
def test_the_summary_reads_as_pulumis(counts, preview, expected):
    from sagestack.deploy.pulumi_cli import display

    assert display.summary(counts, preview) == expected


def test_durations_read_as_gos_rounded_up_to_the_second():
    from sagestack.deploy.pulumi_cli import display

    assert [display.duration(s) for s in (0.2, 5.0, 64.5)] == ["1s", "5s", "1m5s"]
