"""Keep every test on loopback: fake AWS credentials, and no name resolved beyond this machine.

pytest-socket (configured in pyproject) refuses connections to any address but loopback; this
module also refuses to *resolve* other names, so nothing (the SageMaker SDK's usage reports, say)
sends even a DNS query. Libraries that treat a failed lookup as "offline" carry on as they should.
"""

from __future__ import annotations

import ipaddress
import os
import socket

OFFLINE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "SAGEMAKER_TELEMETRY_OPT_OUT": "true",
    # ModelTrainer checks roles with iam:SimulatePrincipalPolicy, which the local cloud lacks
    "SAGEMAKER_VALIDATE_ROLE": "false",
    # builds the local cloud runs install from uv's warm cache, never from an index
    "UV_OFFLINE": "1",
    "PIP_NO_INDEX": "1",
}

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})

_resolve = socket.getaddrinfo


def is_loopback_host(host: str | bytes | None) -> bool:
    if host is None:  # a passive (bind) lookup: nothing leaves the machine
        return True
    name = host.decode() if isinstance(host, bytes) else host
    if name.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback or name in ("0.0.0.0", "::")
    except ValueError:
        return False


def resolve_loopback_only(host, *args, **kwargs):
    if not is_loopback_host(host):
        raise socket.gaierror(socket.EAI_NONAME, f"tests resolve loopback names only, not {host!r}")
    return _resolve(host, *args, **kwargs)


def go_offline() -> None:
    os.environ.update(OFFLINE_AWS)
    os.environ.pop("AWS_PROFILE", None)
    socket.getaddrinfo = resolve_loopback_only
