"""What a deploy made, so the next one changes only what changed (Pulumi's state, locally).

One JSON file per stack under the state folder, keyed by URN: the resource's type, logical name,
physical id, the inputs it was made from, its outputs and the URNs it depends on. It is rewritten
(atomically) after every resource, so a deploy that fails midway leaves exactly what exists.
A record whose ``inputs`` is ``None`` exists but was not fully configured: the next deploy
replaces it. The file may hold secret inputs in plaintext, so it is readable by its owner only.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sagestack.deploy.errors import DeployError

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Record:
    urn: str
    type: str
    name: str
    id: str
    inputs: dict[str, Any] | None
    outputs: dict[str, Any]
    deps: tuple[str, ...] = ()


def normalized(value: Any) -> Any:
    """``value`` as it reads back from the file (tuples become lists), for comparisons."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def state_file(state_dir: Path, stack: str) -> Path:
    return Path(state_dir) / f"deploy-{stack}.json"


class DeployState:
    def __init__(
        self,
        path: Path,
        endpoint: str,
        records: dict[str, Record] | None = None,
        outputs: dict[str, Any] | None = None,
    ):
        self.path = path
        self.endpoint = endpoint
        self._records = dict(records or {})
        self.outputs = dict(outputs or {})  # the stack's outputs, as the last deploy left them
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path, endpoint: str) -> DeployState:
        if not path.exists():
            return cls(path, endpoint)
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("version") != FORMAT_VERSION:
            raise DeployError(f"{path}: unknown deploy state format {document.get('version')!r}")
        if document.get("endpoint") != endpoint and document.get("resources"):
            raise DeployError(
                f"{path} records a deploy to {document.get('endpoint')}, not {endpoint}; deploy "
                "there, or give this endpoint its own --state-dir"
            )
        records = {
            urn: Record(urn=urn, **{**fields, "deps": tuple(fields.get("deps", ()))})
            for urn, fields in document.get("resources", {}).items()
        }
        return cls(path, endpoint, records, document.get("outputs"))

    def get(self, urn: str) -> Record | None:
        with self._lock:
            return self._records.get(urn)

    def records(self) -> list[Record]:
        with self._lock:
            return list(self._records.values())

    def put(self, record: Record) -> None:
        with self._lock:
            self._records[record.urn] = record
            self._save()

    def remove(self, urn: str) -> None:
        with self._lock:
            self._records.pop(urn, None)
            self._save()

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self.outputs = {}
            self._save()

    def set_outputs(self, outputs: dict[str, Any]) -> None:
        with self._lock:
            self.outputs = normalized(outputs)
            self._save()

    def _save(self) -> None:
        resources = {}
        for urn, record in sorted(self._records.items()):
            fields = asdict(record)
            del fields["urn"]
            resources[urn] = fields
        document = {
            "version": FORMAT_VERSION,
            "endpoint": self.endpoint,
            "resources": resources,
            "outputs": self.outputs,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump(document, stream, indent=1, sort_keys=True, default=str)
        partial.replace(self.path)
