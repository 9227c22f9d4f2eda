"""Physical names derived from the configuration, and the limits AWS puts on them.

The model checks each value alone; a name the program derives (prefix, project, suffix) can
still be too long once put together, and AWS would refuse it mid-deploy. These checks run on
the validated model, before any resource is registered.
"""

from __future__ import annotations

from sagestack import contract
from sagestack_infra.config.model import StackConfig

# Longest suffix a project's physical names get ("-approved": rule and role) and AWS's limit for
# IAM role, EventBridge rule, CodeBuild project and model package group names.
LONGEST_PROJECT_SUFFIX = "-approved"
NAME_LIMIT = 64
FEATURE_GROUP_NAME_LIMIT = 64


def feature_group_name(cfg: StackConfig, name: str) -> str:
    return f"{cfg.name_prefix}-{name}"


def physical_name_problems(cfg: StackConfig) -> list[str]:
    """One message per derived name AWS would refuse for its length."""
    problems = []
    for index, project in enumerate(cfg.projects):
        longest = contract.resource_name(cfg.name_prefix, project.name) + LONGEST_PROJECT_SUFFIX
        if len(longest) > NAME_LIMIT:
            problems.append(
                f'sagestack:projects[{index}].name: "{project.name}" makes physical names like '
                f'"{longest}" {len(longest)} characters long; AWS allows {NAME_LIMIT} '
                f"(shorten sagestack:namePrefix or the project name)"
            )
    for index, group in enumerate(cfg.feature_groups):
        physical = feature_group_name(cfg, group.name)
        if len(physical) > FEATURE_GROUP_NAME_LIMIT:
            problems.append(
                f'sagestack:featureGroups[{index}].name: "{group.name}" makes the feature group '
                f'"{physical}" {len(physical)} characters long; SageMaker allows '
                f"{FEATURE_GROUP_NAME_LIMIT} (shorten sagestack:namePrefix or the group name)"
            )
    return problems
