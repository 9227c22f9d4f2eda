"""What a deploy made, as tables: one per AWS service (names, ids, ARNs), and each project's
SSM parameters read back from the cloud (what a generated project will read)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rich.table import Table

from sagestack import contract
from sagestack.clients import AwsClients
from sagestack.deploy.state import Record


def service_of(type_token: str) -> str:
    """``aws:s3/bucket:Bucket`` -> ``s3`` (EventBridge and CloudWatch share Pulumi's module)."""
    module = type_token.split(":")[1].split("/")[0]
    if module == "cloudwatch" and "event" in type_token.lower():
        return "events"
    return module


def service_tables(resources: Iterable[Record]) -> list[Table]:
    by_service: dict[str, list[Record]] = defaultdict(list)
    for record in resources:
        by_service[service_of(record.type)].append(record)
    tables = []
    for service, records in sorted(by_service.items()):
        table = Table(title=f"{service} ({len(records)})", title_justify="left")
        for column in ("type", "name", "id / ARN"):
            table.add_column(column, overflow="fold")
        for record in sorted(records, key=lambda r: (r.type, r.name)):
            table.add_row(
                record.type.rsplit(":", 1)[-1], record.name, record.outputs.get("arn") or record.id
            )
        tables.append(table)
    return tables


def parameter_table(cloud: AwsClients, stack: str, project: str) -> Table:
    path = contract.parameter_path(stack, project)
    table = Table(title=f"SSM parameters of project {project} ({path})", title_justify="left")
    table.add_column("key")
    table.add_column("value", overflow="fold")
    paginator = cloud.client("ssm").get_paginator("get_parameters_by_path")
    parameters = [p for page in paginator.paginate(Path=path) for p in page["Parameters"]]
    for parameter in sorted(parameters, key=lambda p: p["Name"]):
        table.add_row(parameter["Name"].removeprefix(path), parameter["Value"])
    return table
