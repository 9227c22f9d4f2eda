"""`sagestack local up`: what it prints, and one test per way it can fail."""

from __future__ import annotations

import json
import socket
import urllib.request

import pytest
from click.testing import CliRunner

from sagestack import cli
from sagestack.localcloud import server


@pytest.fixture
def started(monkeypatch):
    """Record the clouds `local up` starts, and return from its wait at once."""
    clouds = []
    original_start = server.LocalCloud.start

    def recording_start(self):
        clouds.append(original_start(self))
        return clouds[-1]

    def wait_after_health_check():
        url = clouds[-1].url
        with urllib.request.urlopen(f"{url}/_localstack/health", timeout=10) as response:
            clouds.append((url, json.loads(response.read())))

    monkeypatch.setattr(server.LocalCloud, "start", recording_start)
    monkeypatch.setattr(cli, "wait_for_interrupt", wait_after_health_check)
    return clouds


def test_up_prints_the_environment_to_export_and_serves_health(started):
    result = CliRunner().invoke(cli.main, ["local", "up", "--port", "0"])
    assert result.exit_code == 0, result.output
    _cloud, (url, health) = started
    assert health["services"]["s3"] == "running"
    exports = [line for line in result.stdout.splitlines() if line.startswith("export ")]
    assert exports == [
        f"export AWS_ENDPOINT_URL={url}",
        "export AWS_DEFAULT_REGION=us-east-1",
        "export AWS_ACCESS_KEY_ID=test",
        "export AWS_SECRET_ACCESS_KEY=test",
    ]
    assert f"ready at {url}" in result.stderr
    assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")


def test_up_on_a_port_in_use_says_to_pick_another(started):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli.main, ["local", "up", "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "--port" in result.stderr
    assert "Traceback" not in result.output


def test_up_refuses_a_port_out_of_range():
    result = CliRunner().invoke(cli.main, ["local", "up", "--port", "70000"])
    assert result.exit_code == 2
    assert "70000 is not in the range 0<=x<=65535" in result.stderr


def test_up_refuses_a_state_dir_that_is_a_file(tmp_path):
    a_file = tmp_path / "state"
    a_file.write_text("not a folder")
    result = CliRunner().invoke(cli.main, ["local", "up", "--state-dir", str(a_file)])
    assert result.exit_code == 2
    assert "is a file" in result.stderr


def test_up_with_a_state_dir_others_can_write_says_to_make_it_private(tmp_path, started):
    tmp_path.chmod(0o777)
    result = CliRunner().invoke(
        cli.main, ["local", "up", "--port", "0", "--state-dir", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "could be written by other users" in result.stderr
    assert "chmod 700" in result.stderr
    assert "Traceback" not in result.output


def test_an_unexpected_failure_is_one_line_unless_debug(monkeypatch):
    def broken_start(self):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(server.LocalCloud, "start", broken_start)
    quiet = CliRunner().invoke(cli.main, ["local", "up", "--port", "0"])
    assert quiet.exit_code == 1
    assert "unexpected RuntimeError: disk on fire (run again with --debug" in quiet.stderr
    assert "Traceback" not in quiet.stderr

    loud = CliRunner().invoke(cli.main, ["--debug", "local", "up", "--port", "0"])
    assert isinstance(loud.exception, RuntimeError)
