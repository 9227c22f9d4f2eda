"""Parse CodeConnections / CodeStar Connections requests (JSON protocol), call the backend."""

from __future__ import annotations

from sagestack.localcloud.moto import ActionResult, BaseResponse, EmptyResult

from .models import ConnectionsBackend, codeconnections_backends, codestar_connections_backends


class CodeConnectionsResponse(BaseResponse):
    SERVICE = "codeconnections"
    BACKENDS = codeconnections_backends

    def __init__(self) -> None:
        super().__init__(service_name=self.SERVICE)
        self.automated_parameter_parsing = True

    @property
    def backend(self) -> ConnectionsBackend:
        return self.BACKENDS[self.current_account][self.region]

    def create_connection(self) -> ActionResult:
        tags = self._get_param("Tags") or []
        arn = self.backend.create_connection(
            self._get_param("ConnectionName"),
            self._get_param("ProviderType"),
            self._get_param("HostArn"),
            tags,
        )
        return ActionResult({"ConnectionArn": arn, "Tags": tags})

    def get_connection(self) -> ActionResult:
        connection = self.backend.get_connection(self._get_param("ConnectionArn"))
        return ActionResult({"Connection": connection})

    def list_connections(self) -> ActionResult:
        connections, next_token = self.backend.list_connections(
            provider_type_filter=self._get_param("ProviderTypeFilter"),
            host_arn_filter=self._get_param("HostArnFilter"),
            max_results=self._get_param("MaxResults"),
            next_token=self._get_param("NextToken"),
        )
        return ActionResult({"Connections": connections, "NextToken": next_token})

    def delete_connection(self) -> ActionResult:
        self.backend.delete_connection(self._get_param("ConnectionArn"))
        return EmptyResult()

    def tag_resource(self) -> ActionResult:
        self.backend.tag_resource(self._get_param("ResourceArn"), self._get_param("Tags"))
        return EmptyResult()

    def untag_resource(self) -> ActionResult:
        self.backend.untag_resource(self._get_param("ResourceArn"), self._get_param("TagKeys"))
        return EmptyResult()

    def list_tags_for_resource(self) -> ActionResult:
        tags = self.backend.list_tags_for_resource(self._get_param("ResourceArn"))
        return ActionResult({"Tags": tags})


class CodeStarConnectionsResponse(CodeConnectionsResponse):
    SERVICE = "codestar-connections"
    BACKENDS = codestar_connections_backends
