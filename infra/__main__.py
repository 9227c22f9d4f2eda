"""Entry point of ``pulumi up``: read the stack config once, then build the platform."""

from infra.config import load_stack_config
from infra.program import define_platform

define_platform(load_stack_config())
