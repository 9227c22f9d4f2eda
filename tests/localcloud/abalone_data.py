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


def batch_csv(rows: int = 20, seed: int = 9) -> str:
    """Rows as the model reads them, without the label: the seven measurements scaled and the
    sex one-hot encoded (what the example's preprocessing makes of the raw file)."""
    generator = np.random.default_rng(seed)
    lines = []
    for _ in range(rows):
        measurements = generator.normal(0, 1, 7)
        sex = np.eye(3)[generator.integers(3)]
        lines.append(",".join(f"{value:.4f}" for value in [*measurements, *sex]))
    return "\n".join(lines) + "\n"
