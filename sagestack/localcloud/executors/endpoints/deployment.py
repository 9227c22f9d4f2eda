"""UpdateEndpoint as a blue/green deployment, with deployment guardrails.

The fleet in service (blue) keeps serving while the new config's fleet (green) starts; once every
green instance answers ``/ping``, traffic shifts to green as the ``BlueGreenUpdatePolicy`` says
(``ALL_AT_ONCE``; ``CANARY``: a share, baked, then the rest; ``LINEAR``: equal steps, each baked),
then bakes ``TerminationWaitInSeconds`` before blue stops. Any ``AutoRollbackConfiguration``
alarm in ALARM while green takes traffic rolls back: all traffic returns to blue, green stops,
and the endpoint is ``InService`` on its old config with a FailureReason; so does a green fleet
that does not come into service. Waits run on the local cloud's clock (a test moves it).
Requests already on a fleet finish before it stops, so none fails because of the deployment.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sagestack.localcloud import clock
from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.executors.endpoints import lifecycle, registry, status
from sagestack.localcloud.executors.endpoints.fleet import (
    Fleet,
    FleetPlan,
    NotRunLocally,
    ProvisioningFailed,
)
from sagestack.localcloud.executors.endpoints.registry import LiveEndpoint

log = logging.getLogger(__name__)

WATCH_INTERVAL_SECONDS = 0.05
DEFAULT_MAX_EXECUTION_SECONDS = 28800.0


@dataclass(frozen=True)
class TrafficStep:
    share: float  # of all requests, to green
    bake_seconds: float
    activity: str  # VariantStatus Status while this step bakes


@dataclass(frozen=True)
class Rollout:
    steps: tuple[TrafficStep, ...]
    termination_wait: float
    alarms: tuple[str, ...]
    max_seconds: float

    @classmethod
    def of(cls, deployment: Mapping[str, Any] | None, green_instances: int) -> Rollout:
        deployment = deployment or {}
        policy = deployment.get("BlueGreenUpdatePolicy") or {}
        routing = policy.get("TrafficRoutingConfiguration") or {
            "Type": "ALL_AT_ONCE",
            "WaitIntervalInSeconds": 0,
        }
        alarms = tuple(
            a["AlarmName"]
            for a in (deployment.get("AutoRollbackConfiguration") or {}).get("Alarms", [])
        )
        return cls(
            steps=_steps(routing, max(green_instances, 1)),
            termination_wait=float(policy.get("TerminationWaitInSeconds", 0)),
            alarms=alarms,
            max_seconds=float(
                policy.get("MaximumExecutionTimeoutInSeconds", DEFAULT_MAX_EXECUTION_SECONDS)
            ),
        )


def _steps(routing: Mapping[str, Any], green_instances: int) -> tuple[TrafficStep, ...]:
    kind = routing.get("Type", "ALL_AT_ONCE")
    wait = float(routing.get("WaitIntervalInSeconds", 0))
    if kind == "CANARY":
        canary = _share(routing.get("CanarySize") or {}, green_instances)
        return (TrafficStep(canary, wait, "Baking"), TrafficStep(1.0, 0.0, "ActivatingTraffic"))
    if kind == "LINEAR":
        step = _share(routing.get("LinearStepSize") or {}, green_instances)
        count = math.ceil(1 / step)
        return tuple(TrafficStep(min(1.0, step * (i + 1)), wait, "Baking") for i in range(count))
    return (TrafficStep(1.0, wait, "Baking"),)


def _share(size: Mapping[str, Any], green_instances: int) -> float:
    value = float(size.get("Value", 1))
    share = value / green_instances if size.get("Type") == "INSTANCE_COUNT" else value / 100
    return min(max(share, 0.0), 1.0) or 1.0


def validate(
    endpoint: Any, config: Mapping[str, Any], deployment: Mapping[str, Any] | None
) -> FleetPlan:
    """What UpdateEndpoint refuses before anything starts (raises ValueError / NotRunLocally)."""
    if endpoint.endpoint_status != status.IN_SERVICE:
        kind = "failed" if endpoint.endpoint_status == status.FAILED else "in-progress"
        raise ValueError(f'Cannot update {kind} endpoint "{endpoint.arn}".')
    if deployment and deployment.get("RollingUpdatePolicy"):
        raise NotRunLocally(
            "DeploymentConfig.RollingUpdatePolicy is not run locally: use a BlueGreenUpdatePolicy"
        )
    return FleetPlan.from_config(config)


def start(endpoint: Any, plan: FleetPlan, deployment: Mapping[str, Any] | None) -> None:
    ref = lifecycle.ref_of(endpoint)
    live = registry.get(ref.account_id, ref.region, ref.name)
    if live is None:
        raise ValueError(f'Could not find endpoint "{endpoint.arn}".')
    started = status.now()
    endpoint.pending_deployment_summary = _pending(plan, started, "Creating", _launching(plan))
    endpoint.failure_reason = None
    status.set_status(endpoint, status.UPDATING)
    status.announce(endpoint, status.DEPLOYMENT_STATE_CHANGE)
    threading.Thread(
        target=_deploy,
        args=(live, endpoint, plan, deployment),
        name=f"update-{ref.name}",
        daemon=True,
    ).start()


def _launching(plan: FleetPlan) -> str:
    return f"Launching {sum(v.instance_count for v in plan.variants)} instance(s)."


def _pending(plan: FleetPlan, started: Any, activity: str, message: str) -> dict[str, Any]:
    variant_status = [{"Status": activity, "StatusMessage": message, "StartTime": status.now()}]
    return {
        "EndpointConfigName": plan.config_name,
        "ProductionVariants": [
            {
                **status.variant_summary(
                    v.name, v.weight, 0, v.instance_count, None, started, variant_status
                ),
                "InstanceType": v.instance_type,
            }
            for v in plan.variants
        ],
        "StartTime": started,
    }


def _deploy(
    live: LiveEndpoint, endpoint: Any, plan: FleetPlan, deployment: Mapping[str, Any] | None
) -> None:
    try:
        green = Fleet(plan, live.ref)
        green.provision()
    except ProvisioningFailed as failure:
        _finish(live, endpoint, None, str(failure))
        return
    except Exception as error:  # noqa: BLE001 - a deployment always ends
        log.exception("deployment of %s failed", live.ref.name)
        _finish(live, endpoint, None, f"Request to service failed: {error}")
        return
    with live.lock:
        if live.deleted:
            green.stop()
            return
        live.green = green
    rollout = Rollout.of(deployment, green.instance_count)
    reason = _shift_and_bake(live, endpoint, plan, green, rollout)
    if reason is not None:
        _finish(live, endpoint, green, reason)
    elif not live.deleted:
        _promote(live, endpoint, green, deployment)


def _shift_and_bake(
    live: LiveEndpoint, endpoint: Any, plan: FleetPlan, green: Fleet, rollout: Rollout
) -> str | None:
    """None when green may take over; else why the deployment rolls back."""
    deadline = clock.current().now() + timedelta(seconds=rollout.max_seconds)
    count = green.instance_count
    bakes = [*rollout.steps, TrafficStep(1.0, rollout.termination_wait, "Baking")]
    for step in bakes:
        live.shift(step.share)
        message = (
            f"Baking for {step.bake_seconds:.0f} seconds (TerminationWaitInSeconds) with traffic "
            f"enabled on {'full' if step.share >= 1 else 'canary'} capacity of "
            f"{max(1, round(count * step.share))} instance(s)."
        )
        endpoint.pending_deployment_summary = _pending(
            plan, endpoint.pending_deployment_summary["StartTime"], step.activity, message
        )
        status.announce(endpoint, status.DEPLOYMENT_STATE_CHANGE)
        reason = _watch(live, rollout.alarms, step.bake_seconds, deadline)
        if reason is not None:
            return reason
    return None


def _watch(
    live: LiveEndpoint, alarms: tuple[str, ...], seconds: float, deadline: Any
) -> str | None:
    """Bake for ``seconds`` of the local clock, checking the rollback alarms all along."""
    end = clock.current().now() + timedelta(seconds=seconds)
    while True:
        if live.deleted:
            return "the endpoint was deleted during the deployment"
        firing = _alarm_in_alarm(live.ref.account_id, live.ref.region, alarms)
        if firing is not None:
            return (
                f"Deployment was rolled back: the auto-rollback alarm {firing} went into ALARM "
                "while the new fleet took traffic."
            )
        now = clock.current().now()
        if now >= deadline:
            return "Deployment was rolled back: MaximumExecutionTimeoutInSeconds was exceeded."
        if now >= end:
            return None
        time.sleep(WATCH_INTERVAL_SECONDS)


def _alarm_in_alarm(account_id: str, region: str, names: tuple[str, ...]) -> str | None:
    if not names:
        return None
    alarms = moto_internals.backend("cloudwatch", account_id, region).alarms
    for name in names:
        alarm = alarms.get(name)
        if alarm is not None and alarm.state_value == "ALARM":
            return name
    return None


def _finish(live: LiveEndpoint, endpoint: Any, green: Fleet | None, reason: str) -> None:
    """Roll back: blue takes all traffic again, green stops after its requests."""
    with live.lock:
        live.green, live.green_share = None, 0.0
    if green is not None:
        threading.Thread(target=green.drain_and_stop, daemon=True).start()
    if live.deleted:
        return
    endpoint.pending_deployment_summary = None
    status.set_status(endpoint, status.IN_SERVICE, reason)


def _promote(
    live: LiveEndpoint, endpoint: Any, green: Fleet, deployment: Mapping[str, Any] | None
) -> None:
    with live.lock:
        blue, live.blue, live.green, live.green_share = live.blue, green, None, 0.0
    if blue is not None:
        threading.Thread(target=blue.drain_and_stop, daemon=True).start()
    endpoint.endpoint_config_name = green.config_name
    endpoint.production_variants = lifecycle.fleet_summaries(green)
    endpoint.data_capture_summary = status.capture_summary(green.plan.data_capture)
    endpoint.last_deployment_config = dict(deployment) if deployment else None
    endpoint.pending_deployment_summary = None
    endpoint.failure_reason = None
    status.set_status(endpoint, status.IN_SERVICE)
