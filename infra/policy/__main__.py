"""The entry the Pulumi CLI runs for ``--policy-pack infra/policy``: serve the pack."""

from pulumi_policy import PolicyPack

from sagestack_infra.policy.pack import ENFORCEMENT, PACK_NAME, POLICIES

PolicyPack(name=PACK_NAME, policies=POLICIES, enforcement_level=ENFORCEMENT)
