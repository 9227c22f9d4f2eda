"""A small, made-up abalone dataset in the UCI file's layout (sex, seven measurements, rings;
no header): enough rows for the example's splits, with rings that follow the shell weight."""

from __future__ import annotations

import numpy as np

ROWS = 240


def abalone_csv(rows: int = ROWS, seed: int = 3) -> str:
    generator = np.random.default_rng(seed)
    lines = []
    for _ in range(rows):
        sex = generator.choice(["M", "F", "I"])
        length = generator.uniform(0.15, 0.75)
        diameter = length * generator.uniform(0.75, 0.85)
        height = length * generator.uniform(0.25, 0.35)
        whole = length**3 * generator.uniform(1.8, 2.4)
        shucked, viscera, shell = whole * 0.43, whole * 0.22, whole * 0.29
        rings = int(round(3 + 28 * shell + generator.normal(0, 0.8)))
        values = [length, diameter, height, whole, shucked, viscera, shell]
        lines.append(",".join([sex, *(f"{value:.4f}" for value in values), str(rings)]))
    return "\n".join(lines) + "\n"


def batch_csv(rows: int = 20) -> str:
    """Rows without the label, as the example's batch transform input."""
    return "".join(
        ",".join(line.split(",")[:-1]) + "\n" for line in abalone_csv(rows, 9).splitlines()
    )
