"""How big the Pulumi program's graph is and how long it takes under mocks, by project count.

    .venv/bin/python -m benchmarks.program_size [--projects 1 50] [--repeat 3]

Runs the dev example stack (Pulumi.dev.yaml) with its project copied N times, in-process under
Pulumi's mocks (sagestack_infra.program_runner), and prints resource counts and the best of
``--repeat`` wall-clock and CPU times (CPU time of all threads; it moves less than wall time
when other work shares the machine). The 0-project stack is the baseline of the same command:
the ``x baseline`` column divides CPU time by it, so machines compare.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

from sagestack_infra.program_runner import read_stack_file, run_program

REPO = Path(__file__).resolve().parents[1]


def stack_with(projects: int) -> dict:
    config = read_stack_file(REPO / "Pulumi.dev.yaml")
    template = config["projects"][0]
    config["projects"] = [
        {**copy.deepcopy(template), "name": f"model-{index:02d}"} for index in range(projects)
    ]
    return config


def measure(projects: int, repeat: int) -> tuple[int, int, float, float]:
    config = stack_with(projects)
    wall = cpu = float("inf")
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        run = run_program("dev", config)
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return len(run.custom_resources), len(run.resources), wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, nargs="+", default=[1, 50])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    run_program("dev", stack_with(1))  # warm-up: imports and provider modules load once
    rows = [(0, *measure(0, args.repeat))]
    rows += [(n, *measure(n, args.repeat)) for n in args.projects if n != 0]
    baseline = rows[0][4]
    print(
        f"{'projects':>8} {'resources':>9} {'+components':>12} {'wall s':>7} {'cpu s':>7} "
        f"{'x baseline':>10} {'cpu ms/resource':>15}"
    )
    for projects, custom, total, wall, cpu in rows:
        print(
            f"{projects:>8} {custom:>9} {total:>12} {wall:>7.2f} {cpu:>7.2f} "
            f"{cpu / baseline:>10.1f} {1000 * cpu / total:>15.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
