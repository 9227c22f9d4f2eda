"""The endpoints that run, by account, region and name, and how each routes a request.

An endpoint routes to its fleet in service; while a blue/green update shifts traffic, a share of
the requests (``green_share``) goes to the new fleet instead. ``TargetVariant`` picks the variant
by name in whichever fleet has it (the new one first while it takes traffic).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

from sagestack.localcloud.executors.endpoints.fleet import EndpointRef, Fleet
from sagestack.localcloud.executors.endpoints.variant import Variant

Key = tuple[str, str, str]  # account, region, endpoint name


@dataclass
class LiveEndpoint:
    ref: EndpointRef
    blue: Fleet | None = None  # the fleet in service
    green: Fleet | None = None  # the fleet a deployment is bringing in
    green_share: float = 0.0
    deleted: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def route(self, target_variant: str | None) -> tuple[Fleet, Variant] | None:
        """The fleet and variant a request goes to, the request already counted in flight
        there (the caller calls ``fleet.leave()``); None when no fleet serves it. Counting under
        the lock that swaps fleets means a fleet is never stopped under a routed request."""
        with self.lock:
            for fleet in self._fleets_in_order():
                variant = fleet.choose(target_variant)
                if variant is not None:
                    fleet.enter()
                    return fleet, variant
        return None

    def _fleets_in_order(self) -> list[Fleet]:
        green_first = (
            self.green is not None
            and self.green_share > 0
            and (self.blue is None or random.random() < self.green_share)
        )
        ordered = [self.green, self.blue] if green_first else [self.blue]
        if not green_first and self.green is not None and self.green_share > 0:
            ordered.append(self.green)  # a variant only green has is still reachable by name
        return [fleet for fleet in ordered if fleet is not None]

    def shift(self, share: float) -> None:
        with self.lock:
            self.green_share = share

    def fleets(self) -> list[Fleet]:
        with self.lock:
            return [fleet for fleet in (self.blue, self.green) if fleet is not None]


_LIVE: dict[Key, LiveEndpoint] = {}
_LOCK = threading.Lock()


def key_of(ref: EndpointRef) -> Key:
    return ref.account_id, ref.region, ref.name


def add(endpoint: LiveEndpoint) -> None:
    with _LOCK:
        _LIVE[key_of(endpoint.ref)] = endpoint


def get(account_id: str, region: str, name: str) -> LiveEndpoint | None:
    with _LOCK:
        return _LIVE.get((account_id, region, name))


def remove(account_id: str, region: str, name: str) -> LiveEndpoint | None:
    with _LOCK:
        endpoint = _LIVE.pop((account_id, region, name), None)
    if endpoint is not None:
        endpoint.deleted = True
    return endpoint


def remove_all() -> list[LiveEndpoint]:
    with _LOCK:
        endpoints = list(_LIVE.values())
        _LIVE.clear()
    for endpoint in endpoints:
        endpoint.deleted = True
    return endpoints


def all_live() -> list[LiveEndpoint]:
    with _LOCK:
        return list(_LIVE.values())
