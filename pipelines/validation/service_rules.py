"""Rules SageMaker enforces on a step's request beyond botocore's shapes.

botocore's CreateTrainingJob shape leaves AlgorithmSpecification and ResourceConfig optional and
lets ResourceConfig.InstanceCount be 0: serverless training jobs (ServerlessJobConfig) and
heterogeneous clusters (ResourceConfig.InstanceGroups) need that freedom, but every other training
job is refused by SageMaker without an algorithm or with no instance to run on. A value that is
an expression (a pipeline parameter, a property) is known only at run time and is not judged.
"""

from __future__ import annotations

from collections.abc import Callable

from sagestack_pipelines.validation.shapes import Issue, show

Rule = Callable[[dict], list[Issue]]


def service_rule_issues(step_type: str, arguments: dict) -> list[Issue]:
    return [issue for rule in RULES.get(step_type, ()) for issue in rule(arguments)]


def _training_algorithm(arguments: dict) -> list[Issue]:
    if "ServerlessJobConfig" in arguments:
        return []
    algorithm = arguments.get("AlgorithmSpecification")
    if algorithm is None:
        return [
            Issue(
                "Arguments.AlgorithmSpecification",
                "is missing: SageMaker refuses a training job without one (only a serverless "
                "job, with ServerlessJobConfig, may leave it out)",
            )
        ]
    if isinstance(algorithm, dict) and ("TrainingImage" in algorithm) == (
        "AlgorithmName" in algorithm
    ):
        return [
            Issue(
                "Arguments.AlgorithmSpecification",
                "must name exactly one of TrainingImage and AlgorithmName",
            )
        ]
    return []


def _training_instances(arguments: dict) -> list[Issue]:
    if "ServerlessJobConfig" in arguments:
        return []
    resources = arguments.get("ResourceConfig")
    if resources is None:
        return [
            Issue(
                "Arguments.ResourceConfig",
                "is missing: SageMaker refuses a training job with no instances to run on",
            )
        ]
    if not isinstance(resources, dict):
        return []  # the shape check reports it
    if "InstanceGroups" in resources:
        return _instance_group_issues(resources)
    issues = [
        Issue(f"Arguments.ResourceConfig.{key}", "is missing (or give InstanceGroups)")
        for key in ("InstanceType", "InstanceCount")
        if key not in resources
    ]
    return issues + _count_issues(resources, "Arguments.ResourceConfig")


def _instance_group_issues(resources: dict) -> list[Issue]:
    issues = [
        Issue(
            f"Arguments.ResourceConfig.{key}",
            "must not be given with InstanceGroups (each group has its own)",
        )
        for key in ("InstanceType", "InstanceCount")
        if key in resources
    ]
    groups = resources["InstanceGroups"]
    for position, group in enumerate(groups if isinstance(groups, list) else []):
        if isinstance(group, dict):
            path = f"Arguments.ResourceConfig.InstanceGroups[{position}]"
            issues += _count_issues(group, path)
    return issues


def _count_issues(holder: dict, path: str) -> list[Issue]:
    count = holder.get("InstanceCount")
    if isinstance(count, int) and not isinstance(count, bool) and count < 1:
        return [
            Issue(
                f"{path}.InstanceCount",
                f"{show(count)} is below 1: SageMaker runs a training job on at least one "
                "instance (botocore's shape allows 0)",
            )
        ]
    return []


RULES: dict[str, tuple[Rule, ...]] = {
    "Training": (_training_algorithm, _training_instances),
}
