"""``python -m benchmarks``: run every benchmark, one after the other."""

from __future__ import annotations

import importlib
import sys

# One module per benchmark; each has main(argv) -> int.
BENCHMARKS = [
    "benchmarks.drift_bench",
    "benchmarks.local_up",
    "benchmarks.local_deploy",
    "benchmarks.program_size",
    "benchmarks.durability",
    "benchmarks.iam_overhead",
    "benchmarks.build_bench",
    "benchmarks.endpoint_bench",
    "benchmarks.pipeline_bench",
    "benchmarks.demo_bench",
]


def main() -> int:
    failures = 0
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        failures += bool(importlib.import_module(name).main([]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
