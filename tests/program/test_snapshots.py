"""The whole graph of each example stack, compared with a reviewed snapshot.

A change to the graph fails here with a unified diff. After reviewing it, regenerate with
``SAGESTACK_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/program/test_snapshots.py``
and commit the snapshot together with the change.
"""

from __future__ import annotations

import base64
import difflib
import json
import os
from pathlib import Path

import pytest

from sagestack_infra.program_runner import ProgramRun
from sagestack_pipelines.drift_monitor.pipeline import code_package

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE_VARIABLE = "SAGESTACK_UPDATE_SNAPSHOTS"
# Inputs holding JSON documents, expanded so a policy change diffs line by line.
JSON_INPUTS = (
    "policy",
    "assumeRolePolicy",
    "eventPattern",
    "value",
    "inputTemplate",
    "pipelineDefinition",
)
MAX_DIFF_LINES = 200


def graph(run: ProgramRun) -> dict:
    resources = sorted(run.resources, key=lambda r: r.urn)
    return {
        "outputs": run.outputs,
        "resources": [
            {
                "urn": r.urn,
                "parent": r.parent,
                "dependsOn": sorted(r.deps),
                "inputs": _expand(r.inputs),
            }
            for r in resources
        ],
    }


def _expand(value):
    if isinstance(value, dict):
        return {
            key: _parse(item) if key in JSON_INPUTS and isinstance(item, str) else _expand(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_expand(item) for item in value]
    return value


def _parse(text: str):
    try:
        return {"json": json.loads(text)}
    except json.JSONDecodeError:
        return text


def render(run: ProgramRun) -> str:
    return _without_engine_package(json.dumps(graph(run), indent=2, sort_keys=True) + "\n")


def _without_engine_package(text: str) -> str:
    """The drift engine's package (its bytes and the hash in its name) as placeholders: every
    engine change would otherwise change the graph. test_drift_monitor checks the real ones."""
    package = code_package()
    encoded = base64.b64encode(package.data).decode("ascii")
    return text.replace(encoded, "<drift engine package>").replace(
        package.file_name, "drift-monitor-<hash>.zip"
    )


@pytest.mark.parametrize("stack", ["dev", "local"])
def test_graph_matches_the_reviewed_snapshot(stack, request):
    run = request.getfixturevalue(f"{stack}_run")
    path = SNAPSHOTS / f"{stack}.json"
    actual = render(run)
    if os.environ.get(UPDATE_VARIABLE) == "1":
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8") if path.exists() else ""
    if actual != expected:
        diff = list(
            difflib.unified_diff(
                expected.splitlines(), actual.splitlines(), str(path), "program", lineterm=""
            )
        )
        shown = "\n".join(diff[:MAX_DIFF_LINES])
        more = (
            f"\n... {len(diff) - MAX_DIFF_LINES} more lines" if len(diff) > MAX_DIFF_LINES else ""
        )
        pytest.fail(
            f"the {stack} stack's graph differs from its snapshot; review the diff, then rerun "
            f"with {UPDATE_VARIABLE}=1 to accept it:\n{shown}{more}",
            pytrace=False,
        )
