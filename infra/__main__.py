"""Entry point of ``pulumi up``: read the stack config once, then build the platform."""

from sagestack_infra.program import run_stack

run_stack()
