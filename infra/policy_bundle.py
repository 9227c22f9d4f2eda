"""The pack as one zip a deploy build fetches from the platform bucket and hands to
``pulumi up --policy-pack <folder>``, so each project's serving stack passes the same guardrails
as the platform without a sagestack checkout in the build.

Unzipped, the folder is a complete Python policy pack: ``PulumiPolicy.yaml``, the ``__main__.py``
the CLI runs, and beside it the modules the pack imports under their installed names
(``sagestack_infra.policy``, ``sagestack.contract``), which Python finds next to the entry
script. Its runtime has no ``virtualenv`` option, so the CLI runs it with the build's Python,
where the project's install brought ``pulumi-policy`` (the template depends on it).
``requirements.txt`` names that version for whoever runs the pack elsewhere.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from sagestack_pipelines.packaging import CodePackage, reproducible_zip

KIND = "sagestack-policy-pack"
_REPO = Path(__file__).resolve().parents[1]
# repository folder → the import name the pack uses, and the files it needs from each
_SOURCES = {
    "infra": ("sagestack_infra", ("__init__.py",)),
    "infra/policy": ("sagestack_infra/policy", ("*.py",)),
    "infra/policy/rules": ("sagestack_infra/policy/rules", ("*.py",)),
    "sagestack": ("sagestack", ("__init__.py", "contract.py")),
}
_PROJECT_FILE = """\
# sagestack's policy pack, as the platform publishes it for the projects' deploy builds.
name: sagestack
description: sagestack guardrails (see docs/policy.md in the sagestack repository)
runtime: python
"""


def policy_pack_bundle(root: Path = _REPO) -> CodePackage:
    """The pack's zip, identical for identical sources."""
    members = {
        "PulumiPolicy.yaml": _PROJECT_FILE.encode(),
        "__main__.py": (root / "infra/policy/__main__.py").read_bytes(),
        "requirements.txt": f"pulumi-policy=={_installed('pulumi-policy')}\n".encode(),
    }
    for folder, (import_name, patterns) in _SOURCES.items():
        for pattern in patterns:
            for path in sorted((root / folder).glob(pattern)):
                if path.name != "__main__.py":  # the pack's entry sits at the top
                    members[f"{import_name}/{path.name}"] = path.read_bytes()
    return reproducible_zip(KIND, members)


def _installed(distribution: str) -> str:
    return importlib.metadata.version(distribution)
