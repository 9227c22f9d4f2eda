"""Stages run one after the other, each timed and printed as it goes; the first that fails
stops the rest, which are reported as not run."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

PASSED, FAILED, NOT_RUN = "passed", "failed", "not run"


@dataclass
class StageResult:
    name: str
    status: str
    seconds: float
    summary: str = ""
    log: str = ""  # where to look when it failed

    def as_json(self) -> dict:
        return {"name": self.name, "status": self.status, "seconds": round(self.seconds, 2)}


class StageRunner:
    def __init__(self, console: Console):
        self.console = console
        self.results: list[StageResult] = []

    @property
    def ok(self) -> bool:
        return all(result.status == PASSED for result in self.results)

    def run(self, name: str, stage: Callable[[], str]) -> bool:
        """Run ``stage`` unless one failed before; True when it passed."""
        if not self.ok:
            self.results.append(StageResult(name, NOT_RUN, 0.0))
            return False
        started = time.monotonic()
        with self.console.status(f"{name} ..."):
            try:
                summary = stage()
            except Exception as error:  # any failure ends the demo, reported with its stage
                result = StageResult(
                    name, FAILED, time.monotonic() - started, str(error), getattr(error, "log", "")
                )
            else:
                result = StageResult(name, PASSED, time.monotonic() - started, summary)
        self.results.append(result)
        self._print(result)
        return result.status == PASSED

    def seconds(self, names: tuple[str, ...]) -> float:
        return sum(result.seconds for result in self.results if result.name in names)

    def summary_table(self) -> Table:
        table = Table(title="the loop's stages")
        for column in ("stage", "status", "seconds"):
            table.add_column(column, justify="right" if column == "seconds" else "left")
        for result in self.results:
            style = {PASSED: "green", FAILED: "bold red"}.get(result.status, "dim")
            table.add_row(result.name, result.status, f"{result.seconds:.1f}", style=style)
        return table

    def _print(self, result: StageResult) -> None:
        mark = "[green]ok[/]" if result.status == PASSED else "[bold red]FAILED[/]"
        self.console.print(f"{mark} [bold]{result.name}[/] ({result.seconds:.1f} s)")
        self.console.print(f"   {result.summary}", markup=False, highlight=False)
        if result.log:
            self.console.print(f"   log: {result.log}", markup=False, highlight=False)
