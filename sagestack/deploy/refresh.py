"""Before a re-deploy trusts its state: does the local cloud still hold what it records?

The local cloud keeps resources in memory unless started with ``--state-dir``, so after a
restart the state file lists resources that no longer exist, and every one would read as
unchanged. One recorded resource of each common type is looked up (reads only): if none exists,
the cloud was restarted empty and the state is discarded, so everything is created again; if
only some are gone, something else deleted them and the deploy stops, naming them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from sagestack.clients import AwsClients
from sagestack.deploy.errors import DeployError
from sagestack.deploy.state import DeployState, Record

_PROBES: dict[str, Callable[[AwsClients, str], Any]] = {
    "aws:kms/key:Key": lambda cloud, key: cloud.client("kms").describe_key(KeyId=key),
    "aws:s3/bucket:Bucket": lambda cloud, bucket: cloud.client("s3").head_bucket(Bucket=bucket),
    "aws:iam/role:Role": lambda cloud, role: cloud.client("iam").get_role(RoleName=role),
    "aws:ssm/parameter:Parameter": lambda cloud, name: cloud.client("ssm").get_parameter(Name=name),
    "aws:sns/topic:Topic": lambda cloud, arn: cloud.client("sns").get_topic_attributes(
        TopicArn=arn
    ),
}
_NOT_FOUND = {
    "NotFoundException",
    "404",
    "NoSuchBucket",
    "NoSuchEntity",
    "ParameterNotFound",
    "NotFound",
}


def sample(state: DeployState) -> list[Record]:
    """The first recorded resource (by URN) of each type that can be looked up."""
    chosen: dict[str, Record] = {}
    for record in sorted(state.records(), key=lambda r: r.urn):
        if record.type in _PROBES:
            chosen.setdefault(record.type, record)
    return list(chosen.values())


def exists(cloud: AwsClients, record: Record) -> bool:
    try:
        _PROBES[record.type](cloud, record.id)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _NOT_FOUND:
            return False
        raise
    return True


def check_state_matches_cloud(cloud: AwsClients, state: DeployState) -> bool:
    """``True`` when the state was discarded because the cloud holds none of it."""
    probed = sample(state)
    missing = [record for record in probed if not exists(cloud, record)]
    if not missing:
        return False
    if len(missing) == len(probed):
        state.clear()
        return True
    names = ", ".join(f"{r.type} {r.name} ({r.id})" for r in missing)
    raise DeployError(
        f"{state.path} records resources the local cloud at {cloud.endpoint} no longer has: "
        f"{names}; something else deleted them. Delete {state.path} and the remaining "
        "resources (or restart the local cloud) to deploy from scratch"
    )
