"""Fixtures for the program tests: each example stack runs once per session."""

import pytest
from graph_helpers import stack_file

from sagestack_infra.program_runner import ProgramRun, run_program


@pytest.fixture(scope="session")
def dev_run() -> ProgramRun:
    return run_program("dev", stack_file("dev"))


@pytest.fixture(scope="session")
def local_run() -> ProgramRun:
    return run_program("local", stack_file("local"))
