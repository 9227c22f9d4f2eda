"""Every Kubernetes container declares cpu and memory limits, so one model server cannot starve
its node."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagestack_infra.policy.rules.props import as_list, as_mapping, dig, is_set

# Where each workload kind keeps its pod spec, whatever its API version.
_POD_SPEC_PATHS: Mapping[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
REQUIRED_LIMITS = ("cpu", "memory")


def is_workload(resource_type: str) -> bool:
    kind = resource_type.rsplit(":", 1)[-1]
    return resource_type.startswith("kubernetes:") and kind in _POD_SPEC_PATHS


def missing_limit_problems(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    kind = resource_type.rsplit(":", 1)[-1]
    path = _POD_SPEC_PATHS[kind]
    pod_spec = as_mapping(dig(props, *path))
    if not as_list(pod_spec.get("containers")):
        # nothing to check is itself wrong: a workload always runs at least one container
        return [f"no containers at {'.'.join((*path, 'containers'))}"]
    problems = []
    for field in ("initContainers", "containers"):
        for container in as_list(pod_spec.get(field)):
            container = as_mapping(container)
            limits = as_mapping(dig(container, "resources", "limits"))
            missing = [name for name in REQUIRED_LIMITS if not is_set(limits.get(name))]
            if missing:
                problems.append(
                    f"{field[:-1]} {container.get('name')!r} has no resources.limits "
                    f"{' / '.join(missing)}"
                )
    return problems
