"""The drift engine against a plain scipy loop (and, with --evidently, Evidently's drift preset),
then from capture files, and its commands' start-up.

Workload: 1,000,000 requests of 20 numeric and 5 categorical features against a 100,000-row
baseline; numeric features n00 and n01 shifted, n02 and n03 widened, categorical c0's
frequencies changed and c1 given a new category. Every contender runs in its own process on the
same generated data (a DataFrame: the input the scipy loop takes) and reports its time and its
peak memory above what it held before starting. Then the engine streams 1,000,000 and
10,000,000 rows from data capture files (written once into a work folder and reused), and the
commands are timed from their start: ``baseline`` on a 100,000-row Parquet file, and ``compare``
up to the moment it opens its first capture file (a named pipe shows when).

    python -m benchmarks.drift_bench [--rows N] [--baseline-rows N] [--stream-rows N] [--evidently]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

from benchmarks.drift_contenders import CATEGORICAL, CONTENDERS, NUMERIC, run_stream

CHANGED = {"n00", "n01", "n02", "n03", "c0", "c1"}
ROWS_PER_RECORD = 100  # one captured request is a batch of this many CSV rows
STREAM_FILES = 10
LABELS = {"engine": "engine", "scipy": "scipy loop", "evidently": "evidently"}


def _category_weights(index: int) -> tuple[list[str], np.ndarray]:
    names = [f"v{j}" for j in range(index + 3)]
    weights = np.arange(len(names), 0, -1, dtype=float)
    return names, weights / weights.sum()


def workload(rows: int, seed: int, drifted: bool):
    """A DataFrame of the 25 features; ``drifted`` applies the changes listed in CHANGED."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    columns = {}
    for index, name in enumerate(NUMERIC):
        mean, scale = float(index), 1.0 + index / 10
        if drifted and name in ("n00", "n01"):
            mean += (0.5 if name == "n00" else -0.6) * scale
        if drifted and name in ("n02", "n03"):
            scale *= 1.5 if name == "n02" else 1.7
        columns[name] = rng.normal(mean, scale, rows)
    for index, name in enumerate(CATEGORICAL):
        names, weights = _category_weights(index)
        if drifted and name == "c0":
            weights = weights[::-1]
        if drifted and name == "c1":
            names, weights = [*names, "new"], np.append(weights * 0.95, 0.05)
        columns[name] = rng.choice(np.array(names, dtype=object), rows, p=weights)
    return pd.DataFrame(columns)


def child(args) -> None:
    if args.contender == "stream":
        files = sorted(Path(args.workdir).glob("capture-*.jsonl"))[: args.files]
        result = run_stream(files, Path(args.workdir) / "baseline.json")
    else:
        reference = workload(args.baseline_rows, seed=1, drifted=False)
        current = workload(args.rows, seed=2, drifted=True)
        result = CONTENDERS[args.contender](reference, current, Path(args.workdir))
    print(json.dumps(result))


def _in_child(*arguments: str) -> dict:
    command = [sys.executable, "-m", "benchmarks.drift_bench", "--child", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _verdict(flagged: list[str]) -> str:
    missed, extra = CHANGED - set(flagged), set(flagged) - CHANGED
    if not missed and not extra:
        return "yes"
    return f"no (missed {sorted(missed)}, extra {sorted(extra)})"


def in_memory(args, workdir: Path) -> dict[str, dict]:
    print(
        f"In memory: {args.rows:,} rows ({len(NUMERIC)} numeric + {len(CATEGORICAL)} "
        f"categorical) against a {args.baseline_rows:,}-row baseline; changed: {sorted(CHANGED)}",
        flush=True,
    )
    sizes = ["--rows", str(args.rows), "--baseline-rows", str(args.baseline_rows)]
    names = ["engine", "scipy", *(["evidently"] if args.evidently else [])]
    results = {
        name: _in_child("--contender", name, "--workdir", str(workdir), *sizes) for name in names
    }
    engine = results["engine"]
    print(
        f"{'contender':<18}{'time s':>9}{'x engine':>10}{'cpu s':>8}{'x engine':>10}"
        f"{'extra peak MB':>15}{'x engine':>10}  flags exactly the changed features"
    )
    for name, result in results.items():
        label = LABELS[name] + (f" {result['version']}" if "version" in result else "")
        if "error" in result or "error" in engine:
            print(f"{label:<18} failed: {result.get('error') or engine.get('error')}")
            continue
        print(
            f"{label:<18}{result['seconds']:>9.2f}{result['seconds'] / engine['seconds']:>10.1f}"
            f"{result['cpu_seconds']:>8.2f}"
            f"{result['cpu_seconds'] / engine['cpu_seconds']:>10.1f}"
            f"{result['extra_peak_mb']:>15.0f}"
            f"{result['extra_peak_mb'] / max(engine['extra_peak_mb'], 1):>10.1f}"
            f"  {_verdict(result['flagged'])}"
        )
    _print_agreement(engine, results["scipy"])
    return results


def _print_agreement(engine: dict, scipy_loop: dict) -> None:
    if "error" in engine or "error" in scipy_loop:
        return
    names = engine["features"].keys() & scipy_loop["features"].keys()
    difference = np.array(
        [np.subtract(engine["features"][n], scipy_loop["features"][n]) for n in names]
    )
    print(
        "engine vs scipy loop, max |difference| over features: "
        f"PSI {np.abs(difference[:, 0]).max():.1e}, "
        f"KS / total variation distance {np.abs(difference[:, 1]).max():.1e}, "
        f"p-values {np.abs(difference[:, 2:]).max():.1e}"
    )
    ratio = scipy_loop["seconds"] / engine["seconds"]
    cpu = scipy_loop["cpu_seconds"] / engine["cpu_seconds"]
    print(
        f"in memory, the engine is {ratio:.1f}x as fast as the scipy loop ({cpu:.1f}x in CPU time)"
    )


def write_capture_files(workdir: Path, rows: int, baseline_rows: int) -> list[Path]:
    """``rows`` requests as SageMaker capture files (CSV encoding), written once and reused."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from sagestack_pipelines.drift.baseline import build_baseline, save

    marker = workdir / f"capture-{rows}.done"
    if not marker.exists():
        training = workload(baseline_rows, 1, False)
        save(build_baseline(training, categorical=CATEGORICAL), workdir / "baseline.json")
        training.to_parquet(workdir / "training.parquet", index=False)
        per_file = rows // STREAM_FILES
        for index in range(STREAM_FILES):
            frame = workload(per_file, seed=100 + index, drifted=True).round(4)
            text = pa.BufferOutputStream()
            pacsv.write_csv(
                pa.Table.from_pandas(frame, preserve_index=False),
                text,
                pacsv.WriteOptions(include_header=False),
            )
            lines = text.getvalue().to_pybytes().decode().splitlines()
            with open(workdir / f"capture-{index:02d}.jsonl", "w") as capture:
                for start in range(0, len(lines), ROWS_PER_RECORD):
                    capture.write(
                        _capture_record("\n".join(lines[start : start + ROWS_PER_RECORD]))
                    )
        marker.write_text("ok")
    return sorted(workdir.glob("capture-*.jsonl"))


def _capture_record(csv_rows: str) -> str:
    record = {
        "captureData": {
            "endpointInput": {
                "observedContentType": "text/csv",
                "mode": "INPUT",
                "data": csv_rows,
                "encoding": "CSV",
            }
        },
        "eventMetadata": {"eventId": str(uuid.uuid4()), "inferenceTime": "2026-11-26T12:00:00Z"},
        "eventVersion": "0",
    }
    return json.dumps(record) + "\n"


def stream(args, workdir: Path) -> None:
    started = time.perf_counter()
    cached = (workdir / f"capture-{args.stream_rows}.done").exists()
    files = write_capture_files(workdir, args.stream_rows, args.baseline_rows)
    size_gb = sum(path.stat().st_size for path in files) / 1e9
    origin = (
        f"reused from {workdir}" if cached else f"written in {time.perf_counter() - started:.0f} s"
    )
    print(
        f"\nFrom capture files ({ROWS_PER_RECORD} CSV rows per record, {len(files)} files, "
        f"{size_gb:.1f} GB, {origin}):",
        flush=True,
    )
    print(
        f"{'rows':>12}{'files':>7}{'time s':>9}{'cpu s':>8}{'rows/s':>12}{'records/s':>11}"
        f"{'extra peak MB':>15}  flags exactly"
    )
    peaks = []
    for count in (1, len(files)):
        result = _in_child(
            "--contender", "stream", "--workdir", str(workdir), "--files", str(count)
        )
        if "error" in result:
            print(f"{'':>12}{count:>7} failed: {result['error']}")
            return
        peaks.append(result["extra_peak_mb"])
        seconds = result["seconds"]
        print(
            f"{result['rows']:>12,}{count:>7}{seconds:>9.1f}{result['cpu_seconds']:>8.1f}"
            f"{result['rows'] / seconds:>12,.0f}"
            f"{result['records'] / seconds:>11,.0f}{result['extra_peak_mb']:>15.0f}"
            f"  {_verdict(result['flagged'])}"
        )
    print(f"peak memory, {len(files)} files over 1 file: {peaks[1] / peaks[0]:.2f}x")


def start_up(workdir: Path) -> None:
    """Each command from a fresh interpreter, as the pipeline's step starts it."""
    engine = [sys.executable, "-m", "sagestack_pipelines.drift"]
    training = workdir / "training.parquet"
    if not training.exists():
        workload(100_000, 1, False).to_parquet(training, index=False)
    began = time.perf_counter()
    baseline = workdir / "parquet-baseline.json"
    subprocess.run(
        [*engine, "baseline", "--data", str(workdir / "training.parquet")]
        + ["--output", str(baseline), "--categorical", ",".join(CATEGORICAL)],
        check=True,
        capture_output=True,
    )
    built = time.perf_counter() - began
    pipe = workdir / "start-up.jsonl"
    pipe.unlink(missing_ok=True)
    os.mkfifo(pipe)
    began = time.perf_counter()
    command = subprocess.Popen(
        [*engine, "compare", "--endpoint-name", "bench", "--baseline", str(baseline)]
        + ["--input", str(pipe), "--output", str(workdir / "start-up")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(pipe, "w") as capture:  # returns once the command opens its first input
        ready = time.perf_counter() - began
        capture.write(_capture_record("0" + ",0" * (len(NUMERIC) - 1) + ",v0" * 5))
    command.wait()
    pipe.unlink()
    load = os.getloadavg()[0]
    print(
        f"\nStart-up, from the command's start: compare reads its first record after "
        f"{ready:.2f} s; baseline from a 100,000-row Parquet file written in {built:.2f} s "
        f"(the whole command). Load average {load:.1f} on {os.cpu_count()} cores."
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.drift_bench", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=100_000)
    parser.add_argument("--stream-rows", type=int, default=10_000_000)
    parser.add_argument("--skip-stream", action="store_true")
    parser.add_argument("--evidently", action="store_true", help="also run Evidently (minutes)")
    parser.add_argument("--workdir", type=Path, help="where capture files are kept between runs")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--contender", choices=[*CONTENDERS, "stream"], help=argparse.SUPPRESS)
    parser.add_argument("--files", type=int, default=STREAM_FILES, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.child:
        child(args)
        return 0
    workdir = args.workdir or Path(tempfile.gettempdir()) / "sagestack-drift-bench"
    workdir.mkdir(parents=True, exist_ok=True)
    results = in_memory(args, workdir)
    if not args.skip_stream:
        stream(args, workdir)
        start_up(workdir)
    return 1 if any("error" in result for result in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
