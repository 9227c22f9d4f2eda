"""CodeConnections and CodeStar Connections on the local cloud (the same API under two names)."""

from __future__ import annotations

import re

import boto3
import pytest

SERVICES = ["codeconnections", "codestar-connections"]


@pytest.fixture(params=SERVICES)
def connections(request, fresh_local_cloud):
    return boto3.client(request.param)


def test_a_new_connection_is_pending_with_an_arn_in_the_services_format(connections):
    service = connections.meta.service_model.signing_name
    created = connections.create_connection(ProviderType="GitHub", ConnectionName="org-github")
    arn = created["ConnectionArn"]
    assert re.fullmatch(
        rf"arn:aws:{service}:us-east-1:123456789012:connection/[0-9a-f-]{{36}}", arn
    )
    connection = connections.get_connection(ConnectionArn=arn)["Connection"]
    assert connection == {
        "ConnectionName": "org-github",
        "ConnectionArn": arn,
        "ProviderType": "GitHub",
        "OwnerAccountId": "123456789012",
        "ConnectionStatus": "PENDING",
    }


def test_connections_are_listed_by_provider_and_paginate(connections):
    arns = [
        connections.create_connection(ProviderType=provider, ConnectionName=name)["ConnectionArn"]
        for provider, name in (("GitHub", "a"), ("GitLab", "b"), ("GitHub", "c"))
    ]
    first = connections.list_connections(ProviderTypeFilter="GitHub", MaxResults=1)
    rest = connections.list_connections(ProviderTypeFilter="GitHub", NextToken=first["NextToken"])
    listed = [c["ConnectionArn"] for c in first["Connections"] + rest["Connections"]]
    assert listed == [arns[0], arns[2]]
    assert len(connections.list_connections()["Connections"]) == 3


def test_a_host_filter_lists_only_that_hosts_connections(connections):
    connections.create_connection(ProviderType="GitHub", ConnectionName="cloud-hosted")
    host = "arn:aws:codeconnections:us-east-1:123456789012:host/ghes-0123456789"
    assert connections.list_connections(HostArnFilter=host)["Connections"] == []


def test_a_deleted_connection_is_not_found(connections, aws_error):
    arn = connections.create_connection(ProviderType="Bitbucket", ConnectionName="bb")[
        "ConnectionArn"
    ]
    connections.delete_connection(ConnectionArn=arn)
    for call in (connections.get_connection, connections.delete_connection):
        response = aws_error(lambda c=call: c(ConnectionArn=arn))
        assert response["Error"]["Code"] == "ResourceNotFoundException"
        assert arn in response["Error"]["Message"]


def test_tags_are_set_at_creation_replaced_by_key_and_removed(connections):
    arn = connections.create_connection(
        ProviderType="GitHub", ConnectionName="tagged", Tags=[{"Key": "team", "Value": "ml"}]
    )["ConnectionArn"]
    connections.tag_resource(
        ResourceArn=arn,
        Tags=[{"Key": "team", "Value": "platform"}, {"Key": "env", "Value": "dev"}],
    )
    tags = connections.list_tags_for_resource(ResourceArn=arn)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "dev"), ("team", "platform")]
    connections.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert connections.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "env", "Value": "dev"}
    ]


def test_an_unsupported_provider_is_refused_naming_the_supported_ones(connections, aws_error):
    response = aws_error(
        lambda: connections.create_connection(ProviderType="SourceForge", ConnectionName="x")
    )
    assert response["Error"]["Code"] == "UnsupportedProviderTypeException"
    assert "'SourceForge'" in response["Error"]["Message"]
    assert "GitHub" in response["Error"]["Message"]
    assert connections.list_connections()["Connections"] == []


def test_a_name_longer_than_32_characters_is_refused(connections, aws_error):
    name = "a" * 33
    response = aws_error(
        lambda: connections.create_connection(ProviderType="GitHub", ConnectionName=name)
    )
    assert response["Error"]["Code"] == "ValidationException"
    assert f"Value '{name}' at 'connectionName'" in response["Error"]["Message"]
    assert connections.list_connections()["Connections"] == []


def test_a_connection_needs_a_provider_type_or_a_host(connections, aws_error):
    response = aws_error(lambda: connections.create_connection(ConnectionName="neither"))
    assert response["Error"]["Code"] == "InvalidInputException"


def test_a_connection_to_a_host_that_does_not_exist_is_not_found(connections, aws_error):
    host = "arn:aws:codeconnections:us-east-1:123456789012:host/ghes-0123456789"
    response = aws_error(lambda: connections.create_connection(HostArn=host, ConnectionName="h"))
    assert response["Error"]["Code"] == "ResourceNotFoundException"
    assert host in response["Error"]["Message"]


def test_the_two_services_keep_separate_connections(fresh_local_cloud):
    boto3.client("codeconnections").create_connection(ProviderType="GitHub", ConnectionName="a")
    listed = boto3.client("codestar-connections").list_connections()["Connections"]
    assert listed == []
