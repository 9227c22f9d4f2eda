"""A build's commands, run the way CodeBuild's agent runs them.

Version 0.2 runs every command "in the same instance of the default shell": a ``cd`` or an
``export`` carries over to later commands and later phases. Each phase here is one shell
process (so a phase can be stopped, timed and retried on its own) that starts from the state the
previous phase left: its exported variables (``export -p``) and working directory, saved when the
shell exits, however it exits. Only each command's own exit code counts (``false; true``
succeeds), commands stop at the first failure, and ``finally`` commands run after the commands
whether they failed or not. Version 0.1 gives every command a shell of its own (a subshell).

The agent's own log lines (``[Container] 2024/12/01 18:26:30.481818 Running command ...``) are
printed by the script itself, so they interleave with the command's output in order.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sagestack.localcloud.executors import processes
from sagestack.localcloud.executors.builds.buildspec import Phase

SUCCEEDED, FAILED = "SUCCEEDED", "FAILED"
MAX_KEPT_LINES = 2000  # output kept per phase attempt, for on-failure RETRY-<regex>
STOPPED_EXIT = 128 + 15  # what a shell stopped by SIGTERM exits with

_PRELUDE = r"""
__ss_log() { printf '[Container] %s %s\n' "$(date -u '+%Y/%m/%d %H:%M:%S.%6N')" "$*"; }
__ss_save() { export -p > "$__SS_DIR/env.sh"; pwd > "$__SS_DIR/cwd"; }
trap __ss_save EXIT
__ss_succeeding="${__SS_SUCCEEDING:-1}"
[ -f "$__SS_DIR/env.sh" ] && . "$__SS_DIR/env.sh"
export CODEBUILD_BUILD_SUCCEEDING="$__ss_succeeding"
[ -f "$__SS_DIR/cwd" ] && cd "$(cat "$__SS_DIR/cwd")"
__ss_failed=0
__ss_finally_failed=0
"""


@dataclass
class PhaseResult:
    status: str
    failed_command: str | None = None
    exit_code: int = 0
    output: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return (
            f"Error while executing command: {self.failed_command}. "
            f"Reason: exit status {self.exit_code}"
        )


class Shell:
    """The build's shell, phase after phase; :meth:`stop` ends the running phase."""

    def __init__(
        self,
        state_dir: Path,
        src_dir: Path,
        env: dict[str, str],
        shell: str = "bash",
        one_shell: bool = True,
        on_line: Callable[[str], None] = lambda _line: None,
    ):
        self.state_dir, self.env, self.shell = state_dir, env, shell
        self.one_shell, self.on_line = one_shell, on_line
        state_dir.mkdir(parents=True, exist_ok=True)
        (state_dir / "cwd").write_text(str(src_dir))
        self._running: processes.RunningCommand | None = None
        self._stopped = False
        self._lock = threading.Lock()  # a stop between two processes must not miss the next
        self.succeeding = True  # CODEBUILD_BUILD_SUCCEEDING: 0 once a phase has failed

    def run_phase(self, phase: Phase) -> PhaseResult:
        """Run ``phase`` (retried as its ``on-failure: RETRY...`` says)."""
        if not phase.commands and not phase.finally_commands:
            return PhaseResult(SUCCEEDED)
        attempts = 1 + (phase.on_failure.retries if phase.on_failure.action == "RETRY" else 0)
        saved = self._save_state()
        result = PhaseResult(SUCCEEDED)
        for attempt in range(attempts):
            if attempt:
                self._restore_state(saved)
                self.on_line(_agent_line(f"Retrying phase {phase.name.upper()}: {attempt}"))
            result = self._attempt(phase)
            if result.status == SUCCEEDED or self._stopped or not _should_retry(phase, result):
                break
        return result

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            running = self._running
        if running is not None:
            running.stop()

    def exported(self, names: tuple[str, ...]) -> dict[str, str]:
        """The values of ``names`` the shell holds now (for ``exported-variables``)."""
        script = _PRELUDE + "".join(
            f'printf "%s\\0" "${{{name}-}}"\n' for name in names if name.isidentifier()
        )
        valid = [name for name in names if name.isidentifier()]
        done = subprocess.run(
            [self.shell, "-c", script],
            env={**self.env, "__SS_DIR": str(self.state_dir)},
            capture_output=True,
            check=False,
            timeout=30,
        )
        values = done.stdout.decode(errors="replace").split("\0")[: len(valid)]
        return dict(zip(valid, values, strict=False))

    def _attempt(self, phase: Phase) -> PhaseResult:
        status_file = self.state_dir / "status"
        status_file.write_text("")
        output: list[str] = []

        def line(text: str) -> None:
            if len(output) < MAX_KEPT_LINES:
                output.append(text)
            self.on_line(text)

        exit_code = self._run_script(phase, status_file, line, finally_only=False)
        status = status_file.read_text().splitlines()
        if _shell_died_in_commands(status) and phase.finally_commands and not self._stopped:
            # a command ended the shell itself (`exit 3`): finally still runs, in a new one
            self._run_script(phase, status_file, line, finally_only=True)
            status = status_file.read_text().splitlines()
        return _result(phase, status, exit_code, output)

    def _run_script(
        self, phase: Phase, status_file: Path, line: Callable[[str], None], finally_only: bool
    ) -> int:
        script = self.state_dir / f"{phase.name}.sh"
        steps = [] if finally_only else [("commands", phase.commands)]
        steps.append(("finally", phase.finally_commands))
        script.write_text(self._script(steps, status_file))
        command = processes.Command(
            argv=[self.shell, str(script)],
            cwd=self.state_dir,
            env={
                **self.env,
                "__SS_DIR": str(self.state_dir),
                "__SS_SUCCEEDING": "1" if self.succeeding else "0",
            },
            on_line=line,
        )
        with self._lock:
            if self._stopped:
                return STOPPED_EXIT
            self._running = running = processes.run(command)
        exit_code = running.wait()
        with self._lock:
            self._running = None
        return exit_code

    def _script(self, steps: list[tuple[str, tuple[str, ...]]], status_file: Path) -> str:
        lines = [_PRELUDE, f"__ss_status={shlex.quote(str(status_file))}"]
        for kind, commands in steps:
            for index, command in enumerate(commands):
                lines.append(self._step(kind, index, command))
        return "\n".join(lines) + "\n"

    def _step(self, kind: str, index: int, command: str) -> str:
        quoted = shlex.quote(command)
        run = f"eval {quoted}" if self.one_shell else f"( eval {quoted} )"
        # commands stop at their first failure; finally commands run whatever the commands did,
        # and stop at their own first failure
        failed = "__ss_failed" if kind == "commands" else "__ss_finally_failed"
        return (
            f'if [ "${failed}" = 0 ]; then\n'
            f"  __ss_log Running command {quoted}\n"
            f'  echo "{kind} {index} start" >> "$__ss_status"\n'
            f"  {run}\n"
            f"  __ss_rc=$?\n"
            f'  echo "{kind} {index} $__ss_rc" >> "$__ss_status"\n'
            f'  if [ "$__ss_rc" != 0 ]; then\n'
            f"    __ss_log Command did not exit successfully {quoted} exit status $__ss_rc\n"
            f"    {failed}=$__ss_rc\n"
            f"  fi\n"
            f"fi\n"
        )

    def _save_state(self) -> dict[str, bytes]:
        return {
            name: (self.state_dir / name).read_bytes()
            for name in ("env.sh", "cwd")
            if (self.state_dir / name).exists()
        }

    def _restore_state(self, saved: dict[str, bytes]) -> None:
        for name in ("env.sh", "cwd"):
            path = self.state_dir / name
            if name in saved:
                path.write_bytes(saved[name])
            elif path.exists():
                path.unlink()

    def remove(self) -> None:
        shutil.rmtree(self.state_dir, ignore_errors=True)


def _result(phase: Phase, status: list[str], exit_code: int, output: list[str]) -> PhaseResult:
    """The first failing step from the status file; a step with no end killed the shell."""
    ended: dict[tuple[str, int], int] = {}
    started: list[tuple[str, int]] = []
    for entry in status:
        kind, index, outcome = entry.split(" ")
        key = (kind, int(index))
        if outcome == "start":
            started.append(key)
        else:
            ended[key] = int(outcome)
    for key in started:
        code = ended.get(key, exit_code or 1)
        if code != 0:
            kind, index = key
            commands = phase.commands if kind == "commands" else phase.finally_commands
            return PhaseResult(FAILED, commands[index], code, output)
    if exit_code != 0:  # the shell itself failed before any command (a bad state file, a signal)
        return PhaseResult(FAILED, "(the build shell)", exit_code, output)
    return PhaseResult(SUCCEEDED, output=output)


def _shell_died_in_commands(status: list[str]) -> bool:
    last = status[-1].split(" ") if status else []
    return last[:1] == ["commands"] and last[2:] == ["start"]


def _should_retry(phase: Phase, result: PhaseResult) -> bool:
    pattern = phase.on_failure.output_pattern
    if pattern is None:
        return True
    return any(re.search(pattern, line) for line in result.output)


def _agent_line(message: str) -> str:
    return f"[Container] {datetime.now(UTC):%Y/%m/%d %H:%M:%S.%f} {message}"
