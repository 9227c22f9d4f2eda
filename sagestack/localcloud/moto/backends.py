"""Reaching moto's backends and the add-ons' (per account and region), and acting on all of them:
reset, list the live ones, put a saved one back."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict, BaseBackend

# every add-on backend by its service name, routed or not (an extension's state lives here too)
_ADDON_BACKENDS: dict[str, BackendDict] = {}


def backend(service: str, account_id: str = DEFAULT_ACCOUNT_ID, region: str = "us-east-1") -> Any:
    """The backend holding ``service``'s state for one account and region (add-ons included)."""
    return _backend_dict(service)[account_id][region]


def find_feature_group(account_id: str, region: str, name_or_arn: str) -> Any | None:
    """moto's SageMaker feature group by name or ARN, or None (moto itself only finds by name)."""
    for group in backend("sagemaker", account_id, region).feature_groups.values():
        if name_or_arn in (group.feature_group_name, group.arn):
            return group
    return None


def addon_backends(backend_class: type, service_name: str, regions_of: str) -> BackendDict:
    """A registered BackendDict for an add-on, in the regions where ``regions_of`` exists.

    botocore lists no regions for some services (the Feature Store runtime, CodeConnections),
    so the add-on borrows those of the service it belongs with.
    """
    backends = BackendDict(
        backend_class,
        service_name,
        use_boto3_regions=False,
        additional_regions=list(_regions_of(regions_of)),
    )
    register_backends(backends)
    return backends


@functools.cache
def _regions_of(service: str) -> tuple[str, ...]:
    session = _botocore_session()
    return tuple(
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions(service, partition_name=partition)
    )


@functools.cache
def _botocore_session() -> boto3.session.Session:
    return boto3.session.Session()  # loading endpoint data takes a while: once is enough


def register_backends(backends: BackendDict) -> None:
    """Make an add-on's backends reachable by :func:`backend` and kept by ``--state-dir``."""
    _ADDON_BACKENDS[backends.service_name] = backends


def iter_backends(service: str) -> Iterator[tuple[str, str, Any]]:
    """``(account, region, backend)`` for each backend of ``service`` created so far."""
    yield from list(_backend_dict(service).iter_backends())


def _backend_dict(service: str) -> BackendDict:
    if service in _ADDON_BACKENDS:
        return _ADDON_BACKENDS[service]
    from moto.backends import get_backend

    return get_backend(service)  # type: ignore[call-overload]


def reset_state() -> None:
    """Forget every resource in every backend, moto's and the add-ons' (moto's reset API)."""
    BackendDict.reset()


def live_backends() -> Iterator[tuple[str, str, str, BaseBackend]]:
    """``(service, account, region, backend)`` for every backend that has been created."""
    for backend_dict in list(BackendDict._instances):
        for account_id, region, region_backend in list(backend_dict.iter_backends()):
            yield backend_dict.service_name, account_id, region, region_backend


def restore_backend(service: str, account_id: str, region: str, saved: BaseBackend) -> None:
    """Put a backend saved by :func:`live_backends`' caller back in place."""
    backend_dict = _backend_dict(service)
    # dict.__setitem__: AccountSpecificBackend's own __getitem__ would build a fresh backend
    dict.__setitem__(backend_dict[account_id], region, saved)
