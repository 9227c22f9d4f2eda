"""``fresh_pytest.py <module path> <pytest arguments>``: pytest on a freshly compiled module.

cosmic-ray rewrites the module once per mutant, and tests/conftest.py lets Python cache bytecode
(it must, for the suite's speed). Python trusts a cached module while the source's size and
modification second are unchanged, so a mutant of the same size written within the second of the
one before would run as that one's bytecode. Removing the module's cached bytecode before each
run rules that out.
"""

from __future__ import annotations

import os
import sys
from importlib.util import cache_from_source
from pathlib import Path

import pytest


def main(argv: list[str]) -> int:
    module, *arguments = argv
    Path(cache_from_source(module)).unlink(missing_ok=True)
    sys.path.insert(0, os.getcwd())  # as ``python -m pytest`` has it
    return pytest.main(arguments)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
