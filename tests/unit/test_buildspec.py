"""The CodeBuild executor's buildspec reader: what a buildspec means, and the buildspecs CodeBuild
refuses, refused in its agent's words (the build tests in tests/localcloud/builds run a few of
them end to end; these check each rule directly)."""

from __future__ import annotations

import textwrap

import pytest

from sagestack.localcloud.executors.builds.buildspec import (
    Artifacts,
    BuildspecError,
    OnFailure,
    Phase,
    parse,
)


def _parse(text: str):
    return parse(textwrap.dedent(text))


def _refused(text: str) -> str:
    with pytest.raises(BuildspecError) as error:
        _parse(text)
    return str(error.value)


def test_a_minimal_buildspec_runs_its_commands_in_one_bash_shell():
    spec = _parse(
        """
        version: 0.2
        phases:
          build:
            commands:
              - echo hi
              - make
        """
    )
    assert spec.version == "0.2" and spec.shell == "bash" and spec.one_shell
    assert spec.phase("build") == Phase(name="build", commands=("echo hi", "make"))
    assert spec.artifacts is None and spec.cache_paths == () and spec.ignored == ()


def test_version_0_1_runs_each_command_in_its_own_shell():
    assert not _parse("version: 0.1\n").one_shell


def test_a_phase_missing_from_the_yaml_is_an_empty_phase_that_succeeds():
    spec = _parse("version: 0.2\nphases:\n")
    assert spec.phases == {}
    assert spec.phase("install") == Phase(name="install")


@pytest.mark.parametrize("text", ["", "- version: 0.2\n", "0.2\n"])
def test_a_buildspec_that_is_not_a_mapping_is_refused(text):
    assert _refused(text) == "invalid buildspec: expected a YAML mapping at the top level"


@pytest.mark.parametrize("version", ["1.0", "0.3", "2"])
def test_an_unknown_version_is_refused_naming_it(version):
    assert _refused(f"version: {version}\n") == (
        f"invalid buildspec `version` specified: {version}, see documentation"
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [("version: 0.2\nphases:\n\tbuild: x\n", 3), ("version: 0.2\nphases:\n  build:\n\tx: y\n", 4)],
)
def test_a_yaml_syntax_error_is_reported_at_its_line_as_the_agent_words_it(text, line):
    assert _refused(text) == f"found character that cannot start any token at line {line}"


@pytest.mark.parametrize(("shell", "runs"), [("bash", "bash"), ("/bin/sh", "sh"), ("sh", "sh")])
def test_the_shell_is_bash_or_sh(shell, runs):
    assert _parse(f"version: 0.2\nenv:\n  shell: {shell}\n").shell == runs


def test_another_shell_is_refused_naming_it():
    assert _refused("version: 0.2\nenv:\n  shell: zsh\n") == (
        "Unsupported shell type: zsh. Expecting: bash, /bin/sh"
    )


def test_environment_values_are_text_as_written():
    spec = _parse(
        """
        version: 0.2
        run-as: builder
        env:
          variables:
            STAGE: dev
            RETRIES: 3
            VERBOSE: yes
            QUIET: no
            EMPTY:
          parameter-store:
            TOKEN: /churn/token
          secrets-manager:
            KEY: churn-secret:key
          exported-variables:
            - STAGE
            - MODEL_URI
        """
    )
    assert spec.run_as == "builder"
    assert spec.variables == {
        "STAGE": "dev",
        "RETRIES": "3",
        "VERBOSE": "yes",
        "QUIET": "no",
        "EMPTY": "",
    }
    assert spec.parameter_store == {"TOKEN": "/churn/token"}
    assert spec.secrets_manager == {"KEY": "churn-secret:key"}
    assert spec.exported_variables == ("STAGE", "MODEL_URI")


def test_one_exported_variable_may_be_written_as_a_string():
    spec = _parse("version: 0.2\nenv:\n  exported-variables: STAGE\n")
    assert spec.exported_variables == ("STAGE",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("env: [a]", "Expected env to be of map type: found list instead"),
        ("env: text", "Expected env to be of map type: found string instead"),
        (
            "env:\n  variables: [a]",
            "Expected env/variables to be of map type: found list instead",
        ),
        (
            "env:\n  variables:\n    STAGE:\n      name: dev",
            "Expected env/variables/STAGE to be of string type: found subkeys",
        ),
        (
            "env:\n  parameter-store:\n    TOKEN: [a, b]",
            "Expected env/parameter-store/TOKEN to be of string type: found subkeys",
        ),
        (
            "env:\n  secrets-manager: 3",
            "Expected env/secrets-manager to be of map type: found string instead",
        ),
        (
            "env:\n  exported-variables:\n    - name: STAGE",
            "Expected env/exported-variables to be a list of strings",
        ),
        (
            "env:\n  exported-variables:\n    name: STAGE",
            "Expected env/exported-variables to be a list of strings",
        ),
        ("cache: [a]", "Expected cache to be of map type: found list instead"),
        ("cache:\n  paths:\n    - [a]", "Expected paths to be a list of strings"),
    ],
)
def test_a_section_of_the_wrong_shape_is_refused_naming_where_and_what(text, message):
    assert _refused(f"version: 0.2\n{text}\n") == message


def test_phases_keep_their_commands_finally_run_as_and_runtimes():
    spec = _parse(
        """
        version: 0.2
        phases:
          install:
            runtime-versions:
              python: 3.11
            commands:
              - pip install uv
          build:
            run-as: builder
            commands:
              - 42
              - yes
            finally:
              - echo done
        """
    )
    assert spec.phase("install").runtime_versions == {"python": "3.11"}
    assert spec.phase("install").commands == ("pip install uv",)
    build = spec.phase("build")
    assert build.commands == ("42", "yes")
    assert build.finally_commands == ("echo done",)
    assert build.run_as == "builder"
    assert build.on_failure == OnFailure(action="ABORT", retries=0)


def test_an_unknown_phase_is_refused_listing_the_four_phases():
    assert _refused("version: 0.2\nphases:\n  artifacts:\n    commands: [ls]\n") == (
        "Invalid buildspec phase name: artifacts. Expecting: build,install,post_build,pre_build"
    )


@pytest.mark.parametrize("phase", ["pre_build", "build", "post_build"])
def test_runtime_versions_outside_the_install_phase_are_refused(phase):
    text = f"version: 0.2\nphases:\n  {phase}:\n    runtime-versions:\n      python: 3.11\n"
    assert _refused(text) == f"runtime-versions is only allowed in the install phase, not {phase}"


@pytest.mark.parametrize(
    ("phase", "message"),
    [
        ("  build: x", "Expected build to be of map type: found string instead"),
        (
            "  build:\n    commands: ls",
            "Expected Commands to be of list type: found string instead",
        ),
        (
            "  build:\n    commands:\n      ls: -l",
            "Expected Commands to be of list type: found subkeys instead",
        ),
        (
            "  build:\n    commands:\n      - echo ok\n      - tag:\n",
            "Expected Commands[1] to be of string type: found subkeys instead at line 6",
        ),
        (
            "  build:\n    commands:\n      - echo ok\n      -\n      - ls\n",
            "Expected Commands[1] to be of string type: found nothing instead at line 6",
        ),
        (
            "  pre_build:\n    finally:\n      - [a, b]\n",
            "Expected Commands[0] to be of string type: found list instead at line 5",
        ),
    ],
)
def test_commands_that_are_not_a_list_of_strings_are_refused_at_their_line(phase, message):
    assert _refused(f"version: 0.2\nphases:\n{phase}\n") == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ABORT", OnFailure(action="ABORT")),
        ("CONTINUE", OnFailure(action="CONTINUE")),
        ("RETRY", OnFailure(action="RETRY", retries=3)),
        ("RETRY-0", OnFailure(action="RETRY", retries=0)),
        ("RETRY-100", OnFailure(action="RETRY", retries=100)),
        ("RETRY-timed out", OnFailure(action="RETRY", retries=3, output_pattern="timed out")),
        ("RETRY-2-^Error.*", OnFailure(action="RETRY", retries=2, output_pattern="^Error.*")),
    ],
)
def test_on_failure_aborts_continues_or_retries(text, expected):
    spec = _parse(f"version: 0.2\nphases:\n  build:\n    on-failure: {text}\n")
    assert spec.phase("build").on_failure == expected


@pytest.mark.parametrize("text", ["IGNORE", "abort", "RETRY5", "CONTINUE-1", "XRETRY"])
def test_an_unknown_on_failure_is_refused_listing_the_forms(text):
    assert _refused(f"version: 0.2\nphases:\n  build:\n    on-failure: {text}\n") == (
        f"invalid value for on-failure: {text}. Expecting: ABORT, CONTINUE, RETRY, "
        "RETRY-<count>, RETRY-<regex>, RETRY-<count>-<regex>"
    )


def test_more_than_a_hundred_retries_are_refused():
    assert _refused("version: 0.2\nphases:\n  build:\n    on-failure: RETRY-101\n") == (
        "invalid retry count for on-failure: 101. Expecting 0-100"
    )


def test_artifacts_and_cache_paths_are_read_with_their_defaults():
    spec = _parse(
        """
        version: 0.2
        artifacts:
          files: model.tar.gz
        cache:
          paths:
            - /root/.cache/uv/**/*
        """
    )
    assert spec.artifacts == Artifacts(files=("model.tar.gz",))
    assert spec.artifacts.base_directory == "." and not spec.artifacts.discard_paths
    assert spec.cache_paths == ("/root/.cache/uv/**/*",)


def test_artifacts_keep_their_name_base_directory_and_exclusions():
    spec = _parse(
        """
        version: 0.2
        artifacts:
          files:
            - '**/*'
          name: model
          base-directory: dist
          discard-paths: yes
          exclude-paths:
            - tmp/*
        """
    )
    assert spec.artifacts == Artifacts(
        files=("**/*",),
        name="model",
        base_directory="dist",
        discard_paths=True,
        exclude_paths=("tmp/*",),
    )


@pytest.mark.parametrize(
    ("written", "discard"),
    [
        ("yes", True),
        ("true", True),
        ("'YES'", True),
        ("no", False),
        ("'maybe'", False),
        ("1", False),
    ],
)
def test_discard_paths_is_on_only_for_yes_or_true(written, discard):
    spec = _parse(f"version: 0.2\nartifacts:\n  files: [a]\n  discard-paths: {written}\n")
    assert spec.artifacts.discard_paths is discard


@pytest.mark.parametrize("files", ["", "files: []"])
def test_artifacts_without_files_are_refused(files):
    assert _refused(f"version: 0.2\nartifacts:\n  name: model\n  {files}\n") == (
        "artifacts/files is required: list the files to upload"
    )


def test_artifacts_that_are_not_a_mapping_are_refused():
    assert _refused("version: 0.2\nartifacts: [a]\n") == (
        "Expected artifacts to be of map type: found list instead"
    )


def test_sections_the_local_cloud_does_not_act_on_are_named_in_order():
    spec = _parse("version: 0.2\nproxy: {}\nreports: {}\nbatch: {}\n")
    assert spec.ignored == ("reports", "batch", "proxy")


MERGED_COMMANDS = """
version: 0.2
x-build: &build
  commands:
    - echo ok
    - {bad}
phases:
  build:
    <<: *build
"""


def test_commands_merged_from_an_anchor_are_read():
    spec = _parse(MERGED_COMMANDS.format(bad="make"))
    assert spec.phase("build").commands == ("echo ok", "make")


def test_a_bad_command_merged_from_an_anchor_is_refused_at_its_line():
    assert _refused(MERGED_COMMANDS.format(bad="tag: x")) == (
        "Expected Commands[1] to be of string type: found subkeys instead at line 6"
    )


def test_a_character_yaml_does_not_allow_is_refused_naming_it():
    assert _refused("version: 0.2\nenv:\n  shell: b\x07sh\n").startswith(
        "unacceptable character #x0007: special characters are not allowed"
    )


def test_a_phase_written_twice_is_read_as_written_last():
    repeated = "version: 0.2\nphases:\n  build:\n    commands: [a]\n  build:\n    commands:\n"
    assert _parse(repeated + "      - b\n      - c\n").phase("build").commands == ("b", "c")
    assert _refused(repeated + "      - b\n      - tag: x\n") == (
        "Expected Commands[1] to be of string type: found subkeys instead at line 8"
    )
