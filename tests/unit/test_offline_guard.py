"""The suite itself refuses to reach beyond loopback (pytest-socket, configured in pyproject)."""

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


def test_only_loopback_hosts_are_allowed(request):
    # Checked first so that, were the guard off, the test fails here and sends nothing.
    assert request.config.getoption("allow_hosts") == "127.0.0.1,::1"


@pytest.mark.filterwarnings("ignore:A test tried to use socket:UserWarning")
def test_a_connection_beyond_loopback_is_refused_before_it_is_made():
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(SocketConnectBlockedError),
    ):
        sock.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed


def test_names_beyond_loopback_are_not_even_resolved():
    with pytest.raises(socket.gaierror, match="loopback names only"):
        socket.getaddrinfo("sm-pysdk-t-us-east-1.s3.us-east-1.amazonaws.com", 443)


def test_loopback_names_still_resolve():
    addresses = {info[4][0] for info in socket.getaddrinfo("localhost", 80)}
    assert addresses <= {"127.0.0.1", "::1"}
