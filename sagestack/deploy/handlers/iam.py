"""IAM: roles and their inline policies."""

from __future__ import annotations

from typing import Any

from sagestack.clients import AwsClients
from sagestack.deploy.handlers.base import (
    Applied,
    Checkpoint,
    Desired,
    Handler,
    put_style,
)
from sagestack.deploy.requests import build_request, tag_list

_ROLE_RENAMES = {"name": "RoleName", "assumeRolePolicy": "AssumeRolePolicyDocument"}


def _role_outputs(role: dict[str, Any]) -> dict[str, Any]:
    return {
        "arn": role["Arn"],
        "name": role["RoleName"],
        "uniqueId": role["RoleId"],
        "createDate": role["CreateDate"].isoformat(),
    }


def create_role(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    iam = cloud.client("iam")
    inputs = {**desired.inputs, "name": desired.physical_name()}
    request = build_request(iam, "CreateRole", inputs, renames=_ROLE_RENAMES, ignore=("tags",))
    role = iam.create_role(**request, Tags=tag_list(desired.get("tags")))["Role"]
    return Applied(role["RoleName"], _role_outputs(role))


def update_role(cloud: AwsClients, name: str, desired: Desired) -> Applied:
    iam = cloud.client("iam")
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=desired.inputs["assumeRolePolicy"])
    current = {t["Key"] for t in iam.list_role_tags(RoleName=name)["Tags"]}
    tags = desired.get("tags", {})
    if current - set(tags):
        iam.untag_role(RoleName=name, TagKeys=sorted(current - set(tags)))
    if tags:
        iam.tag_role(RoleName=name, Tags=tag_list(tags))
    return Applied(name, _role_outputs(iam.get_role(RoleName=name)["Role"]))


def delete_role(cloud: AwsClients, name: str, _outputs: dict[str, Any]) -> None:
    cloud.client("iam").delete_role(RoleName=name)


def put_role_policy(cloud: AwsClients, desired: Desired, _checkpoint: Checkpoint) -> Applied:
    iam = cloud.client("iam")
    inputs = {**desired.inputs, "name": desired.physical_name()}
    request = build_request(
        iam,
        "PutRolePolicy",
        inputs,
        renames={"role": "RoleName", "name": "PolicyName", "policy": "PolicyDocument"},
    )
    iam.put_role_policy(**request)
    return Applied(
        f"{request['RoleName']}:{request['PolicyName']}", {"name": request["PolicyName"]}
    )


def delete_role_policy(cloud: AwsClients, policy_id: str, _outputs: dict[str, Any]) -> None:
    role, _, name = policy_id.partition(":")
    cloud.client("iam").delete_role_policy(RoleName=role, PolicyName=name)


HANDLERS = {
    "aws:iam/role:Role": Handler(
        create=create_role,
        delete=delete_role,
        update=update_role,
        replace_on=frozenset({"name", "path", "permissionsBoundary", "description"}),
    ),
    "aws:iam/rolePolicy:RolePolicy": put_style(
        put_role_policy, delete_role_policy, replace_on=frozenset({"role", "name"})
    ),
}
