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
