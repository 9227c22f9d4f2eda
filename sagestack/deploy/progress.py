"""One line per resource while the deploy runs (stderr), and the summary table at the end."""

from __future__ import annotations

import sys
import threading
from collections import Counter
from typing import TextIO

from rich.console import Console
from rich.table import Table

CREATED, UPDATED, REPLACED, UNCHANGED, DELETED, FAILED = (
    "created",
    "updated",
    "replaced",
    "unchanged",
    "deleted",
    "failed",
)
OUTCOMES = (CREATED, UPDATED, REPLACED, UNCHANGED, DELETED)
_SYMBOLS = {CREATED: "+", UPDATED: "~", REPLACED: "+-", UNCHANGED: "=", DELETED: "-", FAILED: "!"}


class Progress:
    """Counts outcomes and prints ``<symbol> <type> <name> <outcome>`` for each resource."""

    def __init__(self, stream: TextIO | None = None):
        self._stream = stream
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def report(self, outcome: str, type_token: str, name: str, detail: str = "") -> None:
        line = f"{_SYMBOLS[outcome]} {type_token} {name} {outcome}"
        with self._lock:
            self.counts[outcome] += 1
            stream = self._stream or sys.stderr
            print(f"{line}: {detail}" if detail else line, file=stream, flush=True)

    def note(self, text: str) -> None:
        with self._lock:
            print(text, file=self._stream or sys.stderr, flush=True)

    def summary_table(self, stack: str) -> Table:
        table = Table(title=f"local deploy of stack {stack}", min_width=40)
        table.add_column("outcome")
        table.add_column("resources", justify="right")
        for outcome in OUTCOMES:
            table.add_row(outcome, str(self.counts[outcome]))
        return table

    def print_summary(self, stack: str, console: Console | None = None) -> None:
        (console or Console()).print(self.summary_table(stack))
