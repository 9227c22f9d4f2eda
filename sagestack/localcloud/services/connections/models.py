"""Connections to source providers (GitHub, GitLab, Bitbucket...), as CodeConnections keeps them.

CodeConnections and its predecessor CodeStar Connections are one API under two names; each has
its own backends and ARNs (``arn:aws:<service>:<region>:<account>:connection/<uuid>``). As in
AWS a new connection is ``PENDING``: a person completes the handshake in the console, which has
no local equivalent, so it stays pending unless a test sets it (:meth:`set_connection_status`).
"""

from __future__ import annotations

from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.exceptions import (
    InvalidInputException,
    ResourceNotFoundException,
    UnsupportedProviderTypeException,
    ValidationException,
)

PROVIDER_TYPES = (
    "Bitbucket",
    "GitHub",
    "GitHubEnterpriseServer",
    "GitLab",
    "GitLabSelfManaged",
    "AzureDevOps",
    "GitHubEnterpriseCloudDataResidency",
)
STATUSES = ("PENDING", "AVAILABLE", "ERROR")
NAME_MAX_LENGTH = 32  # the API model's limit; botocore checks only the minimum

PAGINATION_MODEL = {
    "list_connections": {
        "input_token": "next_token",
        "limit_key": "max_results",
        "limit_default": 50,
        "unique_attribute": "ConnectionArn",
    }
}


class ConnectionsBackend(moto_internals.BaseBackend):
    """One account and region of one of the two services (``service`` names which)."""

    service = "codeconnections"

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.connections: dict[str, dict[str, Any]] = {}  # ARN -> Connection
        self.tags: dict[str, list[dict[str, str]]] = {}  # ARN -> [{Key, Value}]

    def create_connection(
        self,
        connection_name: str,
        provider_type: str | None,
        host_arn: str | None,
        tags: list[dict[str, str]] | None,
    ) -> str:
        if len(connection_name) > NAME_MAX_LENGTH:
            raise ValidationException(
                f"1 validation error detected: Value '{connection_name}' at 'connectionName' "
                f"failed to satisfy constraint: Member must have length less than or equal to "
                f"{NAME_MAX_LENGTH}"
            )
        if bool(provider_type) == bool(host_arn):
            raise InvalidInputException(
                "Specify exactly one of ProviderType (for a cloud provider) and HostArn (for a "
                "self-managed one)"
            )
        if host_arn:
            raise ResourceNotFoundException(f"Host {host_arn} does not exist")
        if provider_type not in PROVIDER_TYPES:
            raise UnsupportedProviderTypeException(
                f"ProviderType '{provider_type}' is not supported: use one of "
                + ", ".join(PROVIDER_TYPES)
            )
        arn = (
            f"arn:{self.partition}:{self.service}:{self.region_name}:{self.account_id}:"
            f"connection/{moto_internals.random_uuid()}"
        )
        self.connections[arn] = {
            "ConnectionName": connection_name,
            "ConnectionArn": arn,
            "ProviderType": provider_type,
            "OwnerAccountId": self.account_id,
            "ConnectionStatus": "PENDING",
        }
        self.tags[arn] = list(tags or [])
        return arn

    def get_connection(self, arn: str) -> dict[str, Any]:
        if arn not in self.connections:
            raise ResourceNotFoundException(f"Connection {arn} does not exist")
        return self.connections[arn]

    @moto_internals.paginate(pagination_model=PAGINATION_MODEL)
    def list_connections(
        self, provider_type_filter: str | None = None, host_arn_filter: str | None = None
    ) -> list[dict[str, Any]]:
        return [
            connection
            for connection in self.connections.values()
            if provider_type_filter in (None, connection["ProviderType"])
            and host_arn_filter in (None, connection.get("HostArn"))
        ]

    def delete_connection(self, arn: str) -> None:
        self.get_connection(arn)
        del self.connections[arn]
        del self.tags[arn]

    def set_connection_status(self, arn: str, status: str) -> None:
        """What completing (or breaking) the provider handshake does; not an AWS operation."""
        if status not in STATUSES:
            raise ValueError(f"status '{status}' is invalid: use one of {', '.join(STATUSES)}")
        self.get_connection(arn)["ConnectionStatus"] = status

    def tag_resource(self, arn: str, tags: list[dict[str, str]]) -> None:
        self.get_connection(arn)
        new_keys = {tag["Key"] for tag in tags}
        self.tags[arn] = [t for t in self.tags[arn] if t["Key"] not in new_keys] + list(tags)

    def untag_resource(self, arn: str, keys: list[str]) -> None:
        self.get_connection(arn)
        self.tags[arn] = [tag for tag in self.tags[arn] if tag["Key"] not in keys]

    def list_tags_for_resource(self, arn: str) -> list[dict[str, str]]:
        self.get_connection(arn)
        return self.tags[arn]


class CodeStarConnectionsBackend(ConnectionsBackend):
    service = "codestar-connections"


codeconnections_backends = moto_internals.addon_backends(
    ConnectionsBackend, "codeconnections", regions_of="codestar-connections"
)
codestar_connections_backends = moto_internals.addon_backends(
    CodeStarConnectionsBackend, "codestar-connections", regions_of="codestar-connections"
)
