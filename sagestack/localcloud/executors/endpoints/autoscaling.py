"""Application Auto Scaling for SageMaker variants: target tracking on invocations per instance.

moto records scalable targets and policies and never scales; this does, on the local cloud's
clock, as the alarms target tracking creates on AWS would: every minute each variant registered
as ``endpoint/<endpoint>/variant/<variant>`` (``sagemaker:variant:DesiredInstanceCount``) is
held within its MinCapacity..MaxCapacity, and each ``TargetTrackingScaling`` policy on
``SageMakerVariantInvocationsPerInstance`` (the ``AWS/SageMaker`` metric, Sum per minute) scales
out when the last 3 minutes were all above the target and in when the last 15 were all below
90 % of it, to ``ceil(instances * metric / target)``, within the cooldowns (default 300 s).
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.executors.endpoints import lifecycle, registry

log = logging.getLogger(__name__)

NAMESPACE = "sagemaker"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
METRIC = "SageMakerVariantInvocationsPerInstance"
SCALE_OUT_MINUTES, SCALE_IN_MINUTES = 3, 15
SCALE_IN_RATIO = 0.9
DEFAULT_COOLDOWN_SECONDS = 300

# (account, region, resource id) -> when it last scaled out / in (local clock)
_LAST_SCALED: dict[tuple[str, str, str], dict[str, datetime]] = defaultdict(dict)


def variant_of(resource_id: str) -> tuple[str, str] | None:
    parts = resource_id.split("/")
    if len(parts) == 4 and parts[0] == "endpoint" and parts[2] == "variant":
        return parts[1], parts[3]
    return None


def on_register(original: Any, backend: Any, *args: Any, **kwargs: Any) -> Any:
    """RegisterScalableTarget: a variant outside its new capacity range moves into it at once."""
    target = original(*args, **kwargs)
    if target.service_namespace == NAMESPACE and target.scalable_dimension == DIMENSION:
        _rescale(backend.account_id, backend.region_name, target, [], None)
    return target


def evaluate_due(previous: datetime, now: datetime) -> None:
    """Clock listener: evaluate at every minute boundary in ``(previous, now]``."""
    if int(previous.timestamp()) // 60 == int(now.timestamp()) // 60:
        return
    for account_id, region, backend in moto_internals.iter_backends("application-autoscaling"):
        for target in list(backend.targets.get(DIMENSION, {}).values()):
            if target.service_namespace == NAMESPACE:
                try:
                    _evaluate(account_id, region, backend, target, now)
                except Exception:  # noqa: BLE001 - one target must not stop the others
                    log.exception("autoscaling of %s not evaluated", target.resource_id)


def _running_variant(account_id: str, region: str, resource_id: str):
    names = variant_of(resource_id)
    if names is None:
        return None
    live = registry.get(account_id, region, names[0])
    if live is None or live.blue is None or names[1] not in live.blue.variants:
        return None
    endpoint = moto_internals.backend("sagemaker", account_id, region).endpoints.get(names[0])
    return (endpoint, live.blue, names[1]) if endpoint is not None else None


def _evaluate(account_id: str, region: str, backend: Any, target: Any, now: datetime) -> None:
    _rescale(account_id, region, target, _target_tracking_policies(backend, target), now)


def _rescale(
    account_id: str, region: str, target: Any, policies: list[dict], now: datetime | None
) -> None:
    """Scale the variant to what its policies ask for, within its target's capacity range."""
    running = _running_variant(account_id, region, target.resource_id)
    if running is None:
        return
    endpoint, fleet, variant = running
    current = wanted = fleet.variants[variant].desired_count
    for policy in policies:
        wanted = _tracked(account_id, region, target, policy, current, now) or wanted
    wanted = min(max(wanted, int(target.min_capacity)), int(target.max_capacity))
    if wanted == current:
        return
    if now is not None:
        _LAST_SCALED[(account_id, region, target.resource_id)][
            "out" if wanted > current else "in"
        ] = now
    log.info("autoscaling %s from %d to %d instances", target.resource_id, current, wanted)
    lifecycle.scale(endpoint, fleet, variant, wanted)


def _target_tracking_policies(backend: Any, target: Any) -> list[dict[str, Any]]:
    return [
        policy.target_tracking_scaling_policy_configuration
        for policy in backend.policies.values()
        if policy.resource_id == target.resource_id
        and policy.policy_type == "TargetTrackingScaling"
        and (policy.target_tracking_scaling_policy_configuration or {})
        .get("PredefinedMetricSpecification", {})
        .get("PredefinedMetricType")
        == METRIC
    ]


def _tracked(
    account_id: str, region: str, target: Any, policy: dict, current: int, now: datetime
) -> int | None:
    """The capacity one policy asks for, or None when it leaves the variant alone."""
    goal = float(policy["TargetValue"])
    endpoint, variant = variant_of(target.resource_id) or ("", "")
    minutes = _per_minute_sums(account_id, region, endpoint, variant, now, SCALE_IN_MINUTES)
    key = (account_id, region, target.resource_id)
    recent = minutes[-SCALE_OUT_MINUTES:]
    busy = _all_known(recent) and all(value > goal for value in recent)
    if busy and _cooled(key, "out", policy.get("ScaleOutCooldown"), now):
        return max(current + 1, math.ceil(current * (sum(recent) / len(recent)) / goal))
    if policy.get("DisableScaleIn") or not _all_known(minutes):
        return None  # a minute without requests has no datapoint: the low alarm never fires
    idle = all(value < goal * SCALE_IN_RATIO for value in minutes)
    if idle and _cooled(key, "in", policy.get("ScaleInCooldown"), now):
        average = sum(minutes) / len(minutes)
        return min(current - 1, max(1, math.ceil(current * average / goal)))
    return None


def _all_known(values: list[float | None]) -> bool:
    return all(value is not None for value in values)


def _cooled(key: tuple[str, str, str], direction: str, cooldown: Any, now: datetime) -> bool:
    last = _LAST_SCALED[key].get(direction)
    seconds = DEFAULT_COOLDOWN_SECONDS if cooldown is None else int(cooldown)
    return last is None or now - last >= timedelta(seconds=seconds)


def _per_minute_sums(
    account_id: str, region: str, endpoint: str, variant: str, now: datetime, count: int
) -> list[float | None]:
    """InvocationsPerInstance's Sum for each of the last ``count`` complete minutes, oldest
    first (None for a minute without requests: CloudWatch has no datapoint for it)."""
    end = now.astimezone(UTC).replace(second=0, microsecond=0)
    start = end - timedelta(minutes=count)
    sums: list[float | None] = [None] * count
    wanted = {("EndpointName", endpoint), ("VariantName", variant)}
    for datum in list(moto_internals.backend("cloudwatch", account_id, region).metric_data):
        if datum.namespace != "AWS/SageMaker" or datum.name != "InvocationsPerInstance":
            continue
        if {(d.name, d.value) for d in datum.dimensions} != wanted:
            continue
        at = (
            datum.timestamp.replace(tzinfo=UTC)
            if datum.timestamp.tzinfo is None
            else datum.timestamp
        )
        if start <= at < end:
            index = int((at - start).total_seconds() // 60)
            value = float(getattr(datum, "sum", getattr(datum, "value", 0.0)))
            sums[index] = (sums[index] or 0.0) + value
    return sums


def forget() -> None:
    _LAST_SCALED.clear()
