"""How big the Pulumi program's graph is and how long it takes under mocks, by project count.

    .venv/bin/python -m benchmarks.program_size [--projects 1 50] [--repeat 3]

Runs the dev example stack (Pulumi.dev.yaml) with its project copied N times, in-process under
Pulumi's mocks (sagestack.program_runner), and prints resource counts and the best of
``--repeat`` wall-clock times. The 0-project stack is the baseline of the same command: the
``x baseline`` column divides by it, so machines and load compare.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

from sagestack.program_runner import read_stack_file, run_program

REPO = Path(__file__).resolve().parents[1]


def stack_with(projects: int) -> dict:
    config = read_stack_file(REPO / "Pulumi.dev.yaml")
    template = config["projects"][0]
    config["projects"] = [
        {**copy.deepcopy(template), "name": f"model-{index:02d}"} for index in range(projects)
    ]
    return config


def measure(projects: int, repeat: int) -> tuple[int, int, float]:
    config = stack_with(projects)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run = run_program("dev", config)
        best = min(best, time.perf_counter() - started)
    return len(run.custom_resources), len(run.resources), best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, nargs="+", default=[1, 50])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    run_program("dev", stack_with(1))  # warm-up: imports and provider modules load once
    rows = [(0, *measure(0, args.repeat))]
    rows += [(n, *measure(n, args.repeat)) for n in args.projects if n != 0]
    baseline = rows[0][3]
    print(
        f"{'projects':>8} {'resources':>9} {'+components':>12} {'seconds':>8} "
        f"{'x baseline':>10} {'ms/resource':>11}"
    )
    for projects, custom, total, seconds in rows:
        print(
            f"{projects:>8} {custom:>9} {total:>12} {seconds:>8.2f} "
            f"{seconds / baseline:>10.1f} {1000 * seconds / total:>11.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
