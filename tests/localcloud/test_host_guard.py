"""Only the user's programs reach the local cloud: loopback Host names, loopback origins, a
loopback socket."""

from __future__ import annotations

import urllib.parse

import psutil
import pytest
import requests
from click.testing import CliRunner

from sagestack import cli
from sagestack.localcloud.host_guard import HostGuard
from sagestack.localcloud.server import LocalCloud


@pytest.fixture
def sagestack_cloud(local_cloud):
    if not local_cloud.is_sagestack:
        pytest.skip("the guard is sagestack's own")
    return local_cloud


@pytest.mark.parametrize("host", ["evil.example", "evil.example:4566", "10.0.0.5", "[fe80::1]"])
def test_a_host_that_is_not_loopback_gets_a_403_in_aws_shape(sagestack_cloud, host):
    response = requests.get(f"{sagestack_cloud.url}/_localstack/health", headers={"Host": host})
    assert response.status_code == 403
    assert response.json()["__type"] == "AccessDeniedException"
    assert "--allow-host" in response.json()["message"]


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:4566", "bucket.localhost", "127.0.0.1:1", "127.1.2.3", "[::1]"]
)
def test_loopback_names_are_served(sagestack_cloud, host):
    response = requests.get(f"{sagestack_cloud.url}/_localstack/health", headers={"Host": host})
    assert response.status_code == 200


def test_a_page_elsewhere_can_neither_preflight_nor_post(sagestack_cloud):
    url = f"{sagestack_cloud.url}/"
    origin = {"Origin": "http://evil.example"}
    preflight = requests.options(url, headers={**origin, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403
    assert "Access-Control-Allow-Origin" not in preflight.headers
    form_post = requests.post(
        url,
        data={"Action": "CreateTopic", "Name": "from-a-web-page"},
        headers={**origin, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form_post.status_code == 403
    assert "AccessDenied" in form_post.text


def test_a_loopback_page_gets_cors_headers_for_itself_only(sagestack_cloud):
    origin = "http://localhost:3000"
    response = requests.options(
        f"{sagestack_cloud.url}/",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin


def _answer(guard: HostGuard, **headers: str) -> str:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": ""}
    environ.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    statuses: list[str] = []
    guard(environ, lambda status, _headers, _exc=None: statuses.append(status))
    return statuses[0]


def test_names_and_origins_given_by_flag_are_served_and_nothing_else():
    def ok(environ, start_response):
        start_response("200 OK", [])
        return [b""]

    guard = HostGuard(ok, allowed_hosts=["devbox.lan"], allowed_origins=["https://app.devbox.lan"])
    assert _answer(guard, host="devbox.lan:4566").startswith("200")
    assert _answer(guard, host="other.lan").startswith("403")
    assert _answer(guard, host="localhost", origin="https://app.devbox.lan").startswith("200")
    assert _answer(guard, host="localhost", origin="https://app.devbox.lan.evil").startswith("403")
    assert _answer(guard, host="localhost", origin="null").startswith("403")


def test_local_up_passes_its_allow_flags_to_the_guard(monkeypatch):
    made = []

    def recording_start(self):
        made.append(self)
        return self

    monkeypatch.setattr(LocalCloud, "start", recording_start)
    monkeypatch.setattr(LocalCloud, "url", property(lambda self: "http://127.0.0.1:1"))
    monkeypatch.setattr(LocalCloud, "stop", lambda self: None)
    monkeypatch.setattr(cli, "wait_for_interrupt", lambda: None)
    arguments = [
        "local",
        "up",
        "--allow-host",
        "devbox.lan",
        "--allow-origin",
        "http://devbox:3000",
    ]
    result = CliRunner().invoke(cli.main, arguments)
    assert result.exit_code == 0, result.output
    assert made[0].allowed_hosts == ("devbox.lan",)
    assert made[0].allowed_origins == ("http://devbox:3000",)


def test_it_listens_on_loopback_only(sagestack_cloud):
    port = urllib.parse.urlsplit(sagestack_cloud.url).port
    listening = [
        c.laddr
        for c in psutil.Process().net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN and c.laddr.port == port
    ]
    assert listening and all(address.ip == "127.0.0.1" for address in listening)
