"""The example stack as the end-to-end tests deploy it: once per worker per config variant,
then restored into a reset local cloud for every test (see conftest.py)."""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

from sagestack.deploy import deploy, stack_config
from sagestack.deploy.progress import Progress
from sagestack.localcloud.durability import snapshot
from sagestack.localcloud.testing.fixtures import Endpoint

STACK, PROJECT = "dev", "churn"
REPOSITORY = Path(__file__).resolve().parents[2]


def dev_config(**project_changes: Any) -> dict[str, Any]:
    """The dev stack's config, its first project changed by ``project_changes``."""
    config = copy.deepcopy(stack_config(STACK, REPOSITORY))
    config["projects"][0].update(project_changes)
    return config


class DeployedStacks:
    """Stack configs deployed once each; :meth:`fresh` resets the cloud and restores one."""

    def __init__(self, endpoint: Endpoint, folder: Path):
        self.endpoint = endpoint
        self.folder = folder
        self._saved: dict[str, list[bytes]] = {}

    def fresh(self, variant: str, config: dict[str, Any]) -> None:
        self.endpoint.reset()
        saved = self._saved.get(variant)
        if saved is not None:
            snapshot.restore_backends(saved)
            return
        deploy(
            STACK,
            config,
            endpoint=self.endpoint.url,
            state_dir=self.folder / variant / "deploy",
            progress=Progress(io.StringIO()),
        )
        self._saved[variant], _skipped = snapshot.dump_backends()
