"""The stack configuration: read once (:mod:`.reader`), validated into frozen models
(:mod:`.model`), one value at a time (:mod:`.values`), across values (:mod:`.rules`), and for the
physical names derived from it (:mod:`.names`); every problem worded by :mod:`.messages`.

``docs/config.md`` documents every key; a test keeps it complete.
"""

from sagestack_infra.config.messages import ConfigError
from sagestack_infra.config.model import (
    LOWER_IS_BETTER,
    DataSources,
    Drift,
    Feature,
    FeatureGroup,
    Instances,
    Kubernetes,
    OnCall,
    Project,
    Registration,
    Repository,
    Serving,
    StackConfig,
)
from sagestack_infra.config.names import PlatformNames, ProjectNames, feature_group_name
from sagestack_infra.config.reader import load_stack_config, parse_stack_config, read_namespace

__all__ = [
    "LOWER_IS_BETTER",
    "ConfigError",
    "DataSources",
    "Drift",
    "Feature",
    "FeatureGroup",
    "Instances",
    "Kubernetes",
    "OnCall",
    "PlatformNames",
    "Project",
    "ProjectNames",
    "Registration",
    "Repository",
    "Serving",
    "StackConfig",
    "feature_group_name",
    "load_stack_config",
    "parse_stack_config",
    "read_namespace",
]
