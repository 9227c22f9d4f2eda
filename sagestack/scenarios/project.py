"""A deployed project as its own code sees it: the SSM parameters the platform wrote for it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sagestack import contract
from sagestack.clients import AwsClients


class ProjectNotDeployedError(LookupError):
    """The platform has written no parameters for the project (the stack is not deployed)."""


@dataclass(frozen=True)
class Project:
    cloud: AwsClients
    stack: str
    name: str
    parameters: Mapping[str, str]  # contract.Param key -> value

    def parameter(self, key: str) -> str:
        if key not in self.parameters:
            path = contract.parameter_path(self.stack, self.name)
            raise ProjectNotDeployedError(
                f"parameter '{key}' is missing under {path}"
                f" (found: {', '.join(sorted(self.parameters)) or 'none'})"
            )
        return self.parameters[key]

    @property
    def bucket(self) -> str:
        return self.parameter(contract.Param.ARTIFACT_BUCKET)

    @property
    def endpoint_name(self) -> str:
        return self.parameter(contract.Param.ENDPOINT_NAME)

    @property
    def model_package_group(self) -> str:
        return self.parameter(contract.Param.MODEL_PACKAGE_GROUP)

    @property
    def pipeline_name(self) -> str:
        return self.parameter(contract.Param.PIPELINE_NAME)

    @property
    def topic_arn(self) -> str:
        return self.parameter(contract.Param.ONCALL_TOPIC_ARN)

    @property
    def execution_role_arn(self) -> str:
        return self.parameter(contract.Param.EXECUTION_ROLE_ARN)

    @property
    def settings(self) -> dict[str, Any]:
        return json.loads(self.parameter(contract.Param.SETTINGS))

    @property
    def drift_features(self) -> list[str]:
        return list(self.settings["drift"]["features"])

    def s3_uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def client(self, service: str) -> Any:
        return self.cloud.client(service)


def find_project(cloud: AwsClients, stack: str, name: str) -> Project:
    """``name`` of ``stack`` as its parameters describe it; raises if the platform wrote none."""
    path = contract.parameter_path(stack, name)
    pages = cloud.client("ssm").get_paginator("get_parameters_by_path").paginate(Path=path)
    parameters = {
        p["Name"].removeprefix(path): p["Value"] for page in pages for p in page["Parameters"]
    }
    if not parameters:
        raise ProjectNotDeployedError(
            f"project '{name}' of stack '{stack}' has no parameters under {path} on "
            f"{cloud.endpoint}: deploy the stack first (sagestack local deploy --stack {stack})"
        )
    return Project(cloud, stack, name, parameters)
