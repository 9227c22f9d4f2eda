"""Creating and deleting endpoints: Creating -> InService (or Failed with SageMaker's reason).

CreateEndpoint answers at once with the endpoint ``Creating``; a thread starts its fleet and
moves it to ``InService`` when every variant's instances answer ``/ping``, or to ``Failed`` with
the FailureReason SageMaker gives (a model that does not load: the ping health check message).
DeleteEndpoint removes it at once and stops its servers after the requests in flight.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from sagestack.localcloud.executors.endpoints import registry, status
from sagestack.localcloud.executors.endpoints.fleet import (
    EndpointRef,
    Fleet,
    FleetPlan,
    ProvisioningFailed,
)
from sagestack.localcloud.executors.endpoints.registry import LiveEndpoint

log = logging.getLogger(__name__)


def ref_of(endpoint: Any) -> EndpointRef:
    parts = endpoint.arn.split(":")
    return EndpointRef(
        account_id=parts[4], region=parts[3], name=endpoint.endpoint_name, arn=endpoint.arn
    )


def planned_summaries(plan: FleetPlan) -> list[dict[str, Any]]:
    at = status.now()
    return [
        status.variant_summary(v.name, v.weight, 0, v.instance_count, None, at)
        for v in plan.variants
    ]


def fleet_summaries(fleet: Fleet, variant_status: list[dict[str, Any]] | None = None) -> list[dict]:
    at = status.now()
    return [
        status.variant_summary(
            variant.name,
            variant.weight,
            variant.current_count,
            variant.desired_count,
            variant.container.image_uri if variant.container else None,
            at,
            variant_status,
        )
        for variant in fleet.variants.values()
    ]


def create(endpoint: Any, config: Mapping[str, Any]) -> None:
    """Start bringing ``endpoint`` (moto's, just created) into service on ``config``."""
    plan = FleetPlan.from_config(config)
    live = LiveEndpoint(ref_of(endpoint))
    registry.add(live)
    endpoint.production_variants = planned_summaries(plan)
    endpoint.data_capture_summary = status.capture_summary(plan.data_capture)
    endpoint.failure_reason = None
    status.set_status(endpoint, status.CREATING)
    threading.Thread(
        target=_bring_into_service,
        args=(live, endpoint, plan),
        name=f"create-{endpoint.endpoint_name}",
        daemon=True,
    ).start()


def _bring_into_service(live: LiveEndpoint, endpoint: Any, plan: FleetPlan) -> None:
    try:
        fleet = Fleet(plan, live.ref)
        fleet.provision()
    except ProvisioningFailed as failure:
        _fail(live, endpoint, str(failure))
        return
    except Exception as error:  # noqa: BLE001 - an endpoint never stays Creating
        log.exception("endpoint %s failed to start", live.ref.name)
        _fail(live, endpoint, f"Request to service failed: {error}")
        return
    with live.lock:
        if live.deleted:
            fleet.stop()
            return
        live.blue = fleet
    endpoint.production_variants = fleet_summaries(fleet)
    status.set_status(endpoint, status.IN_SERVICE)


def _fail(live: LiveEndpoint, endpoint: Any, reason: str) -> None:
    if not live.deleted:
        status.set_status(endpoint, status.FAILED, reason)


def delete(endpoint: Any) -> None:
    """Stop serving ``endpoint`` (moto removes its record); servers stop once idle."""
    ref = ref_of(endpoint)
    live = registry.remove(ref.account_id, ref.region, ref.name)
    status.set_status(endpoint, status.DELETING)
    if live is not None:
        threading.Thread(target=_stop, args=(live,), name=f"delete-{ref.name}", daemon=True).start()


def _stop(live: LiveEndpoint) -> None:
    for fleet in live.fleets():
        fleet.drain_and_stop()


def stop_all() -> None:
    """Stop every endpoint's servers now (the local cloud is reset or stopping)."""
    for live in registry.remove_all():
        for fleet in live.fleets():
            fleet.stop()


def apply_weights_and_capacities(live: LiveEndpoint, endpoint: Any, desired: list[dict]) -> None:
    """UpdateEndpointWeightsAndCapacities on the fleet in service (moto checked the names)."""
    fleet = live.blue
    if fleet is None:
        return
    for entry in desired:
        variant = fleet.variants.get(entry["VariantName"])
        if variant is None:
            continue
        if entry.get("DesiredWeight") is not None:
            variant.weight = float(entry["DesiredWeight"])
        if entry.get("DesiredInstanceCount") is not None:
            scale(endpoint, fleet, variant.name, int(entry["DesiredInstanceCount"]))
    endpoint.production_variants = fleet_summaries(fleet)


def scale(endpoint: Any, fleet: Fleet, variant_name: str, count: int) -> None:
    """Move a variant to ``count`` instances in the background; DescribeEndpoint follows."""
    variant = fleet.variants[variant_name]
    variant.desired_count = count

    def run() -> None:
        variant.scale_to(count)
        endpoint.production_variants = fleet_summaries(fleet)
        endpoint.last_modified_time = status.now()

    threading.Thread(target=run, name=f"scale-{variant_name}", daemon=True).start()
