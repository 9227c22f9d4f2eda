"""The applier: ``sagestack local deploy`` without the Pulumi CLI.

The Pulumi program runs in-process on Pulumi's mock runtime (:mod:`sagestack_infra.program_runner`)
with mocks that create each registered resource in the local cloud through boto3
(:mod:`.applier`), one handler per resource type, grouped by AWS service (:mod:`.handlers`).
What was made is recorded per stack (:mod:`.state`), so a re-deploy changes only what changed and
deletes what the program no longer registers. :func:`deploy` is the entry point.
"""

from sagestack.deploy.deployment import DeployResult, deploy, stack_config

__all__ = ["DeployResult", "deploy", "stack_config"]
