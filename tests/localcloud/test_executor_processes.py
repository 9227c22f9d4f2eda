"""The executors' process runner: output line by line, exit codes, timeouts and stops that take
the whole process group, and no orphan when the local cloud is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import boto3

from sagestack.localcloud.executors import processes
from sagestack.localcloud.executors.logs import LogStream


def _command(script: str, tmp_path: Path, **kwargs) -> tuple[processes.Command, list[str]]:
    lines: list[str] = []
    command = processes.Command(
        argv=["bash", "-c", script],
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"]},
        on_line=lines.append,
        **kwargs,
    )
    return command, lines


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose
    return "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


def _wait_until(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_output_arrives_line_by_line_in_order_with_the_exit_code(tmp_path):
    command, lines = _command("echo one; echo two >&2; printf 'three'; exit 3", tmp_path)
    running = processes.run(command)
    assert running.wait() == 3
    assert lines == ["one", "two", "three"]
    assert not running.timed_out


def test_a_timeout_stops_every_process_of_the_group(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    command, _ = _command(f"sleep 60 & echo $! > {pid_file}; wait", tmp_path, timeout_seconds=0.5)
    started = time.monotonic()
    running = processes.run(command)
    code = running.wait(timeout=10)
    assert running.timed_out and code != 0
    assert time.monotonic() - started < 8
    assert _wait_until(lambda: not _alive(int(pid_file.read_text())))


def test_stop_all_stops_what_is_running(tmp_path):
    command, _ = _command("sleep 60", tmp_path)
    running = processes.run(command)
    processes.stop_all(grace_seconds=1)
    assert running.wait(timeout=5) != 0 and running.stopped
    assert running not in processes.running()


def test_a_killed_parent_takes_its_commands_down_with_it(tmp_path):
    """What a kill -9 of the local cloud does: the reaper notices and kills its group."""
    pid_file = tmp_path / "sleep.pid"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import os, time
                from pathlib import Path
                from sagestack.localcloud.executors import processes
                processes.run(processes.Command(
                    argv=["bash", "-c", "echo $$ > {pid_file}; exec sleep 300"],
                    cwd=Path("{tmp_path}"), env={{"PATH": os.environ["PATH"]}}))
                time.sleep(300)
                """
            ),
        ]
    )
    assert _wait_until(lambda: pid_file.exists() and pid_file.read_text().strip(), 10)
    sleeper = int(pid_file.read_text())
    assert _alive(sleeper)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    assert _wait_until(lambda: not _alive(sleeper), 5), "the command outlived the local cloud"


def test_a_log_stream_receives_each_line_while_the_command_runs(fresh_local_cloud, tmp_path):
    client = boto3.client("logs", endpoint_url=fresh_local_cloud.url)
    stream = LogStream(client, "/aws/codebuild/demo", "build-1")
    command, _ = _command("echo first; sleep 1; echo second", tmp_path)
    command.on_line = stream.write
    running = processes.run(command)

    def messages() -> list[str]:
        events = client.get_log_events(logGroupName="/aws/codebuild/demo", logStreamName="build-1")
        return [event["message"] for event in events["events"]]

    assert _wait_until(lambda: messages() == ["first"], 0.9), messages()
    running.wait()
    stream.close()
    assert messages() == ["first", "second"]
    assert stream.error is None
