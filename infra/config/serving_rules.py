"""Rules across a project's serving settings and the stack's environment (on the validated model).

The project's serving stack applies these settings (instance count, autoscaling, blue/green
rollout); refusing an inconsistent combination here stops ``pulumi up`` of the platform before
a deploy build would fail on it, or, in production, before a single-instance endpoint exists.
"""

from __future__ import annotations

from sagestack_infra.config.model import PROD_LIKE, Project, StackConfig

SAGEMAKER_ONLY_SERVING_KEYS = ("autoscaling", "rollout", "networkIsolation")
# An endpoint AWS can keep serving through the loss of an instance (or an Availability Zone).
PROD_MIN_INSTANCES = 2


def serving_problems(cfg: StackConfig) -> list[str]:
    return [
        problem
        for index, project in enumerate(cfg.projects)
        if project.serving.target == "sagemaker"
        for problem in _project_problems(cfg.environment, index, project)
    ]


def _project_problems(environment: str, index: int, project: Project) -> list[str]:
    where = f"sagestack:projects[{index}]"
    instances = project.instances.endpoint_instances(environment)
    problems = []
    if environment in PROD_LIKE and instances < PROD_MIN_INSTANCES:
        problems.append(
            f"{where}.instances.endpointCount: {instances} is below {PROD_MIN_INSTANCES} in a "
            f'"{environment}" stack: one instance failing would take the endpoint down'
        )
    scaling = project.serving.autoscaling
    if scaling is not None:
        problems += _autoscaling_problems(where, environment, instances, scaling)
    rollout = project.serving.rollout
    if len(set(rollout.rollback_alarms)) != len(rollout.rollback_alarms):
        problems.append(
            f"{where}.serving.rollout.rollbackAlarms: {list(rollout.rollback_alarms)} names an "
            "alarm twice"
        )
    if environment in PROD_LIKE and not rollout.rollback_alarms:
        problems.append(
            f'{where}.serving.rollout.rollbackAlarms: [] in a "{environment}" stack: a bad model '
            "would stay deployed (name 5xx, latency-p99 or both)"
        )
    return problems


def _autoscaling_problems(where, environment, instances, scaling) -> list[str]:
    path = f"{where}.serving.autoscaling"
    if scaling.min_capacity > scaling.max_capacity:
        return [
            f"{path}.minCapacity: {scaling.min_capacity} is above maxCapacity "
            f"({scaling.max_capacity})"
        ]
    problems = []
    if not scaling.min_capacity <= instances <= scaling.max_capacity:
        problems.append(
            f"{where}.instances.endpointCount: {instances} is outside autoscaling's "
            f"{scaling.min_capacity} to {scaling.max_capacity} (the count the endpoint starts "
            "with must be one autoscaling may keep)"
        )
    if environment in PROD_LIKE and scaling.min_capacity < PROD_MIN_INSTANCES:
        problems.append(
            f"{path}.minCapacity: {scaling.min_capacity} is below {PROD_MIN_INSTANCES} in a "
            f'"{environment}" stack: scaling in would leave a single instance'
        )
    return problems
