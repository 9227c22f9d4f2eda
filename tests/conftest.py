"""Every test runs against loopback only: fake credentials, a region, no name resolved beyond it."""

from offline import go_offline

# At import time, before any test module imports boto3 or the SageMaker SDK.
go_offline()

pytest_plugins = ["sagestack.localcloud.testing.fixtures"]
