"""The applier: ``sagestack local deploy`` without the Pulumi CLI.

The Pulumi program runs in-process on Pulumi's mock runtime (:mod:`sagestack_infra.program_runner`)
with mocks that create each registered resource in the local cloud through boto3
(:mod:`.applier`), one handler per resource type, grouped by AWS service (:mod:`.handlers`).
What was made is recorded per stack (:mod:`.state`), so a re-deploy changes only what changed and
deletes what the program no longer registers. :func:`deploy` is the entry point;
:mod:`.pulumi_cli` is a ``pulumi`` command over it.

Names resolve on first use, so a light module of this package (the ``pulumi`` command's login,
say) does not load Pulumi.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {"DeployResult", "deploy", "stack_config"}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module("sagestack.deploy.deployment"), name)
