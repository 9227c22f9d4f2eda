"""Helpers for the program tests: stack configs to run and ways to read the registered graph."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from sagestack_infra.program_runner import ProgramRun, RegisteredResource, read_stack_file

REPO = Path(__file__).resolve().parents[2]
CONNECTION = (
    "arn:aws:codeconnections:us-east-1:123456789012:connection/5c1e9a4e-2f6b-4d8e-9c3a-7b0f1d2e3a4b"
)


def project_entry(name: str, **overrides: Any) -> dict[str, Any]:
    """A valid ``sagestack:projects`` entry; ``overrides`` replace top-level keys."""
    entry = {
        "name": name,
        "repository": {
            "provider": "github",
            "url": f"https://github.com/acme/{name}",
            "connectionArn": CONNECTION,
        },
        "registration": {"metric": "auc", "threshold": 0.75},
        "drift": {"features": ["tenure", "monthly_charges"], "threshold": 0.2},
    }
    entry.update(copy.deepcopy(overrides))
    return entry


def stack_config(*projects: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A valid ``sagestack:`` namespace holding ``projects``."""
    config = {
        "environment": "dev",
        "namePrefix": "sagestack-test",
        "tags": {"owner": "ml-platform", "cost-center": "cc-1234"},
        "oncall": {"emails": ["oncall@example.com"]},
        "projects": list(projects),
    }
    config.update(copy.deepcopy(overrides))
    return config


def stack_file(stack: str) -> dict[str, Any]:
    return read_stack_file(REPO / f"Pulumi.{stack}.yaml")


def policy(resource: RegisteredResource, key: str = "policy") -> dict[str, Any]:
    """A JSON policy (or pattern) input, parsed."""
    return json.loads(resource.inputs[key])


def statements_by_action(document: dict[str, Any]) -> dict[tuple[str, ...], list]:
    """Each Allow statement's sorted actions mapped to its resources."""
    return {
        tuple(sorted(s["Action"])): s["Resource"]
        for s in document["Statement"]
        if s["Effect"] == "Allow"
    }


def children_of(run: ProgramRun, component: str) -> list[RegisteredResource]:
    parent = run.named(component).urn
    return [r for r in run.resources if r.parent == parent]
