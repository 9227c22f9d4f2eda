"""Every test runs against loopback only: fake credentials, a region, no name resolved beyond it."""

import os
import sys

from offline import go_offline

# At import time, before any test module imports boto3 or the SageMaker SDK.
go_offline()

# Bytecode is cached, as `make test` lets it be (Makefile: unexport PYTHONDONTWRITEBYTECODE), also
# when pytest is started by hand from a shell that sets it: otherwise this checkout's modules, the
# rendered projects' and whatever the venv lacks bytecode for are compiled again by every worker
# and every Python a test starts (a generated project's tests, the CLI of the docs' commands).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

pytest_plugins = ["sagestack.localcloud.testing.fixtures"]


def pytest_collection_modifyitems(items):
    """Modules holding slow tests run first: xdist hands tests out in this order, so the run ends
    on short tests rather than one worker alone on a half-minute test while the other idles.
    The sort is stable and moves whole modules, so each module's tests stay together and in
    their order (module fixtures are still set up once per worker)."""
    slow_modules = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_modules)
