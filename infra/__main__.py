"""Entry point of ``pulumi up``: read the stack config once, then build the platform."""

from sagestack_infra.config import load_stack_config
from sagestack_infra.program import define_platform

define_platform(load_stack_config())
