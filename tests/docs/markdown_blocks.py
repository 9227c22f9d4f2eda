"""The fenced code blocks of the repository's Markdown, and what each shell block needs.

A shell block (```` ```sh ````, ```` ```bash ````, ```` ```shell ````) is a command a reader types
as written. Its first line says what it needs beyond this machine, as a comment readers see:

- no such line: a checkout with its environment (``make`` made ``.venv``) and a local cloud
  (``sagestack local up`` and its exports): the docs test runs it;
- ``# needs the dev stack``: also the stack ``dev`` deployed, on AWS or with
  ``sagestack local deploy --stack dev``: the docs test runs it on a local cloud holding it;
- ``# needs <one of NOT_RUN>``: something this machine does not have or a test cannot wait for;
  the docs test does not run it, and says so.

Anything else after ``# needs`` is refused, so a block cannot be skipped by a made-up reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHELL = frozenset({"sh", "bash", "shell"})
DEV_STACK = "the dev stack"
NOT_RUN = (
    "an AWS account",
    "the Pulumi CLI",
    "Docker",
    "network access",
    "its own terminal",
    "a minute or more",
)
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    language: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"

    @property
    def is_shell(self) -> bool:
        return self.language in SHELL

    @property
    def need(self) -> str | None:
        """What the block's first line says it needs, or None when it says nothing."""
        first = self.text.split("\n", 1)[0].strip()
        if not first.startswith("# needs "):
            return None
        for need in (DEV_STACK, *NOT_RUN):
            rest = first.removeprefix(f"# needs {need}")
            if rest != first and (rest == "" or rest[0] in " ,(:"):
                return need
        return first.removeprefix("# needs ")

    @property
    def runs(self) -> bool:
        return self.is_shell and self.need in (None, DEV_STACK)


def documents() -> list[Path]:
    """README.md, CHANGELOG.md and every page under docs/."""
    top = [REPO / name for name in ("README.md", "CHANGELOG.md") if (REPO / name).exists()]
    return top + sorted((REPO / "docs").rglob("*.md"))


def blocks(path: Path) -> list[Block]:
    """The fenced code blocks of ``path``, in order (an unclosed fence runs to the end)."""
    found, lines = [], path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence = opening["fence"]
        body, end = [], index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            body.append(lines[end][len(opening["indent"]) :])
            end += 1
        info = opening["info"].strip().split()
        found.append(Block(path, index + 1, info[0] if info else "", "\n".join(body)))
        index = end + 1
    return found
