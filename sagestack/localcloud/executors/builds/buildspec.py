"""Reading a buildspec (version 0.1 or 0.2) and refusing what CodeBuild refuses, in its words.

CodeBuild fails such a build in DOWNLOAD_SOURCE with ``YAML_FILE_ERROR`` and a message from its
(closed-source, Go) agent; the messages below are the ones real builds print
(/work/notes/codebuild.md §2). PyYAML's syntax errors are reworded to the agent's form
(``found character that cannot start any token at line 3``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

VERSIONS = ("0.1", "0.2")
PHASE_NAMES = ("install", "pre_build", "build", "post_build")
SHELLS = ("bash", "/bin/sh", "sh")
_ON_FAILURE = re.compile(r"^(ABORT|CONTINUE|RETRY(?:-(?P<count>\d+))?(?:-(?P<regex>.+))?)$")
DEFAULT_RETRIES = 3
MAX_RETRIES = 100


class BuildspecError(Exception):
    """A buildspec CodeBuild would refuse; ``str()`` is the agent's message."""


@dataclass(frozen=True)
class OnFailure:
    action: str = "ABORT"  # ABORT | CONTINUE | RETRY
    retries: int = 0
    output_pattern: str | None = None  # RETRY only when the phase's output matches

    @classmethod
    def parse(cls, text: str) -> OnFailure:
        match = _ON_FAILURE.match(text)
        if match is None:
            raise BuildspecError(
                f"invalid value for on-failure: {text}. Expecting: ABORT, CONTINUE, RETRY, "
                "RETRY-<count>, RETRY-<regex>, RETRY-<count>-<regex>"
            )
        if not text.startswith("RETRY"):
            return cls(action=text)
        count = int(match["count"]) if match["count"] else DEFAULT_RETRIES
        if count > MAX_RETRIES:
            raise BuildspecError(f"invalid retry count for on-failure: {count}. Expecting 0-100")
        return cls(action="RETRY", retries=count, output_pattern=match["regex"])


@dataclass(frozen=True)
class Phase:
    name: str
    commands: tuple[str, ...] = ()
    finally_commands: tuple[str, ...] = ()
    on_failure: OnFailure = OnFailure()
    run_as: str | None = None
    runtime_versions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Artifacts:
    files: tuple[str, ...]
    name: str | None = None
    base_directory: str = "."
    discard_paths: bool = False
    exclude_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class Buildspec:
    version: str
    shell: str = "bash"
    run_as: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    parameter_store: dict[str, str] = field(default_factory=dict)
    secrets_manager: dict[str, str] = field(default_factory=dict)
    exported_variables: tuple[str, ...] = ()
    phases: dict[str, Phase] = field(default_factory=dict)
    artifacts: Artifacts | None = None
    cache_paths: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()  # top-level sections the local cloud does not act on

    def phase(self, name: str) -> Phase:
        """The phase, or an empty one (a phase missing from the YAML runs and succeeds)."""
        return self.phases.get(name) or Phase(name=name)

    @property
    def one_shell(self) -> bool:
        """0.2 runs every command in one shell instance; 0.1 gave each its own."""
        return self.version != "0.1"


def parse(text: str) -> Buildspec:
    """The buildspec in ``text``; :class:`BuildspecError` with CodeBuild's message if invalid."""
    root = _compose(text)
    document = yaml.SafeLoader("").construct_document(root) if root is not None else None
    if not isinstance(document, dict):
        raise BuildspecError("invalid buildspec: expected a YAML mapping at the top level")
    version = _scalar_text(document.get("version"))
    if version not in VERSIONS:
        raise BuildspecError(f"invalid buildspec `version` specified: {version}, see documentation")
    env = _mapping(document.get("env"), "env")
    phases = _phases(document.get("phases"), _child(root, "phases"))
    shell = _scalar_text(env.get("shell")) or "bash"
    if shell not in SHELLS:
        raise BuildspecError(f"Unsupported shell type: {shell}. Expecting: bash, /bin/sh")
    return Buildspec(
        version=version,
        shell="bash" if shell == "bash" else "sh",
        run_as=_scalar_text(document.get("run-as")),
        variables=_string_map(env.get("variables"), "env/variables"),
        parameter_store=_string_map(env.get("parameter-store"), "env/parameter-store"),
        secrets_manager=_string_map(env.get("secrets-manager"), "env/secrets-manager"),
        exported_variables=tuple(_strings(env.get("exported-variables"), "env/exported-variables")),
        phases=phases,
        artifacts=_artifacts(document.get("artifacts")),
        cache_paths=tuple(_strings(_mapping(document.get("cache"), "cache").get("paths"), "paths")),
        ignored=tuple(k for k in ("reports", "batch", "proxy") if k in document),
    )


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        problem = re.sub(r"found character '.*?' that", "found character that", error.problem or "")
        line = error.problem_mark.line + 1 if error.problem_mark else 0
        raise BuildspecError(f"{problem} at line {line}") from None
    except yaml.YAMLError as error:
        raise BuildspecError(str(error)) from None


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The node of ``key``'s value; of its last occurrence, as in the constructed mapping."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for k, value in reversed(node.value) if k.value == key), None)


def _phases(value: Any, node: yaml.Node | None) -> dict[str, Phase]:
    phases = {}
    for name, body in _mapping(value, "phases").items():
        if name not in PHASE_NAMES:
            raise BuildspecError(
                f"Invalid buildspec phase name: {name}. Expecting: {','.join(sorted(PHASE_NAMES))}"
            )
        phases[name] = _phase(name, _mapping(body, name), _child(node, name))
    return phases


def _phase(name: str, body: dict[str, Any], node: yaml.Node | None) -> Phase:
    if "runtime-versions" in body and name != "install":
        raise BuildspecError(f"runtime-versions is only allowed in the install phase, not {name}")
    on_failure = _scalar_text(body.get("on-failure"))
    return Phase(
        name=name,
        commands=_commands(body.get("commands"), _child(node, "commands")),
        finally_commands=_commands(body.get("finally"), _child(node, "finally")),
        on_failure=OnFailure.parse(on_failure) if on_failure else OnFailure(),
        run_as=_scalar_text(body.get("run-as")),
        runtime_versions=_string_map(body.get("runtime-versions"), "runtime-versions"),
    )


def _commands(value: Any, node: yaml.Node | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BuildspecError(f"Expected Commands to be of list type: found {_kind(value)} instead")
    items = node.value if isinstance(node, yaml.SequenceNode) else [None] * len(value)
    for index, (command, item) in enumerate(zip(value, items, strict=True)):
        if isinstance(command, dict | list) or command is None:
            line = f" at line {item.start_mark.line + 1}" if item is not None else ""
            found = "subkeys" if isinstance(command, dict) else _kind(command)
            raise BuildspecError(
                f"Expected Commands[{index}] to be of string type: found {found} instead{line}"
            )
    return tuple(_scalar_text(c) or "" for c in value)


def _artifacts(value: Any) -> Artifacts | None:
    if value is None:
        return None
    body = _mapping(value, "artifacts")
    files = _strings(body.get("files"), "artifacts/files")
    if not files:
        raise BuildspecError("artifacts/files is required: list the files to upload")
    return Artifacts(
        files=tuple(files),
        name=_scalar_text(body.get("name")),
        base_directory=_scalar_text(body.get("base-directory")) or ".",
        discard_paths=_yes(body.get("discard-paths")),
        exclude_paths=tuple(_strings(body.get("exclude-paths"), "artifacts/exclude-paths")),
    )


def _yes(value: Any) -> bool:
    return value is True or str(value).lower() in ("yes", "true")


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BuildspecError(f"Expected {where} to be of map type: found {_kind(value)} instead")
    return value


def _string_map(value: Any, where: str) -> dict[str, str]:
    result = {}
    for key, item in _mapping(value, where).items():
        if isinstance(item, dict | list):
            raise BuildspecError(f"Expected {where}/{key} to be of string type: found subkeys")
        result[str(key)] = _scalar_text(item) or ""
    return result


def _strings(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or any(isinstance(v, dict | list) for v in value):
        raise BuildspecError(f"Expected {where} to be a list of strings")
    return [_scalar_text(v) or "" for v in value]


def _scalar_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _kind(value: Any) -> str:
    return {dict: "subkeys", list: "list", type(None): "nothing"}.get(type(value), "string")
