"""The drift engine against Evidently's data drift preset and a plain scipy loop, side by side.

Workload (issue 5): 1,000,000 requests of 20 numeric and 5 categorical features against a
100,000-row baseline; numeric features n00 and n01 shifted, n02 and n03 widened, categorical c0's
frequencies changed and c1 given a new category. Every contender runs in its own process, on the
same generated data, and reports its time and its peak memory above what it held before starting
(the data itself); then the engine streams 10,000,000 rows from data capture files (generated
once into a temporary folder) to show its memory does not grow with the number of rows.

    python -m benchmarks.drift_bench [--rows N] [--baseline-rows N] [--stream-rows N]
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

NUMERIC = [f"n{i:02d}" for i in range(20)]
CATEGORICAL = [f"c{i}" for i in range(5)]
CHANGED = {"n00", "n01", "n02", "n03", "c0", "c1"}
ROWS_PER_RECORD = 100  # one captured request is a batch of this many CSV rows
STREAM_FILES = 10
# The rule the engine applies by default, applied to the scipy loop's numbers too.
PSI_THRESHOLD, P_VALUE_THRESHOLD = 0.1, 0.01


# --- the workload ------------------------------------------------------------------------------


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


# --- the contenders (each runs in a child process) ---------------------------------------------


def run_engine(reference, current, workdir: Path) -> dict:
    from sagestack_pipelines.drift.baseline import build_baseline, load, save
    from sagestack_pipelines.drift.comparison import Thresholds
    from sagestack_pipelines.drift.monitor import measure
    from sagestack_pipelines.drift.tables import from_frame

    path = workdir / "baseline.json"
    save(build_baseline(reference, categorical=CATEGORICAL), path)
    del reference
    gc.collect()
    with _measured() as result:
        baseline = load(path)
        report = measure(baseline, from_frame(current, baseline), Thresholds())
    result["flagged"] = report.violating
    result["features"] = {
        item.name: [item.psi, item.test.statistic, item.test.p_value] for item in report.features
    }
    return result


def run_scipy_loop(reference, current, workdir: Path) -> dict:
    """What one would write by hand: ks_2samp, chi2_contingency and PSI, feature by feature."""
    import pandas as pd
    from scipy import stats

    from sagestack_pipelines.drift.statistics import psi

    with _measured() as result:
        features, flagged = {}, []
        for name in NUMERIC:
            ref, cur = reference[name].to_numpy(), current[name].to_numpy()
            test = stats.ks_2samp(ref, cur, nan_policy="omit")
            edges = np.unique(np.nanquantile(ref, np.linspace(0, 1, 11)[1:-1]))
            score = psi(_shares_with_missing(ref, edges), _shares_with_missing(cur, edges))
            features[name] = [score, float(test.statistic), float(test.pvalue)]
        for name in CATEGORICAL:
            table = pd.concat(
                [reference[name].value_counts(), current[name].value_counts()], axis=1
            ).fillna(0)
            counts = table.to_numpy().T
            test = stats.chi2_contingency(counts)
            # PSI's last bin is the share of records missing the feature
            missing = [[reference[name].isna().sum()], [current[name].isna().sum()]]
            with_missing = np.hstack([counts, missing])
            score = psi(*(row / row.sum() for row in with_missing))
            features[name] = [score, float(test.statistic), float(test.pvalue)]
        for name, (score, _, p_value) in features.items():
            if score > PSI_THRESHOLD and p_value < P_VALUE_THRESHOLD:
                flagged.append(name)
    result["flagged"] = flagged
    result["features"] = features
    return result


def _shares_with_missing(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Shares of the records per value bin, then the share of missing values."""
    present = values[~np.isnan(values)]
    bins = np.bincount(np.searchsorted(edges, present), minlength=len(edges) + 1)
    return np.append(bins, len(values) - len(present)) / len(values)


def run_evidently(reference, current, workdir: Path) -> dict:
    _let_evidently_import_under_pandas_3()
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    definition = DataDefinition(numerical_columns=NUMERIC, categorical_columns=CATEGORICAL)
    with _measured() as result:
        snapshot = Report([DataDriftPreset()]).run(
            Dataset.from_pandas(current, data_definition=definition),
            Dataset.from_pandas(reference, data_definition=definition),
        )
        metrics = snapshot.dict()["metrics"]
    result["flagged"] = _evidently_drifted(metrics)
    result["version"] = __import__("evidently").__version__
    return result


def _let_evidently_import_under_pandas_3() -> None:
    # evidently 0.7.23 imports pandas' infer_dtype_from_object, removed in pandas 3, in a data
    # integrity test the drift preset never runs; a stand-in lets the module import.
    import pandas.core.dtypes.common as common

    if not hasattr(common, "infer_dtype_from_object"):
        common.infer_dtype_from_object = lambda value: value


def _evidently_drifted(metrics: list[dict]) -> list[str]:
    drifted = []
    for metric in metrics:
        config = metric["config"]
        if not config.get("type", "").endswith("ValueDrift"):
            continue
        value, threshold = metric["value"], config["threshold"]
        # p-value tests drift below the threshold; distances (Wasserstein, Jensen-Shannon) drift
        # at or above it
        if ("p_value" in config["method"] and value < threshold) or (
            "p_value" not in config["method"] and value >= threshold
        ):
            drifted.append(config["column"])
    return drifted


def run_stream(files: list[Path], baseline_path: Path) -> dict:
    from sagestack_pipelines.drift.baseline import load
    from sagestack_pipelines.drift.capture import read_capture
    from sagestack_pipelines.drift.comparison import Thresholds
    from sagestack_pipelines.drift.monitor import measure

    with _measured() as result:
        baseline = load(baseline_path)
        report = measure(baseline, read_capture(files, baseline), Thresholds())
    result["rows"] = report.rows
    result["flagged"] = report.violating
    return result


class _measured:
    """Wall time and peak resident memory above the level at entry (Linux: the kernel's
    high-water mark, reset on entry through /proc/self/clear_refs)."""

    def __enter__(self) -> dict:
        gc.collect()
        Path("/proc/self/clear_refs").write_text("5")
        self.result = {"rss_before_mb": _status_mb("VmRSS")}
        self.start = time.perf_counter()
        return self.result

    def __exit__(self, *exc) -> None:
        self.result["seconds"] = time.perf_counter() - self.start
        self.result["extra_peak_mb"] = _status_mb("VmHWM") - self.result["rss_before_mb"]


def _status_mb(field: str) -> float:
    text = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", text).group(1)) / 1024


CONTENDERS = {"engine": run_engine, "scipy": run_scipy_loop, "evidently": run_evidently}


def child(args) -> None:
    if args.contender == "stream":
        files = sorted(Path(args.workdir).glob("capture-*.jsonl"))[: args.files]
        result = run_stream(files, Path(args.workdir) / "baseline.json")
    else:
        reference = workload(args.baseline_rows, seed=1, drifted=False)
        current = workload(args.rows, seed=2, drifted=True)
        result = CONTENDERS[args.contender](reference, current, Path(args.workdir))
    print(json.dumps(result))


# --- the parent: generate once, run each contender in a fresh process, print ratios -----------


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


def compare_contenders(args, workdir: Path) -> dict[str, dict]:
    print(
        f"Drift on {args.rows:,} rows ({len(NUMERIC)} numeric + {len(CATEGORICAL)} categorical) "
        f"against a {args.baseline_rows:,}-row baseline; changed: {sorted(CHANGED)}",
        flush=True,
    )
    sizes = ["--rows", str(args.rows), "--baseline-rows", str(args.baseline_rows)]
    results = {
        name: _in_child("--contender", name, "--workdir", str(workdir), *sizes)
        for name in CONTENDERS
    }
    engine = results["engine"]
    print(
        f"{'contender':<18}{'time s':>9}{'x engine':>10}{'extra peak MB':>15}{'x engine':>10}"
        "  flags exactly the changed features"
    )
    labels = {"engine": "engine", "scipy": "scipy loop", "evidently": "evidently"}
    for name, result in results.items():
        label = labels[name] + (f" {result['version']}" if "version" in result else "")
        if "error" in result:
            print(f"{label:<18} failed: {result['error']}")
            continue
        print(
            f"{label:<18}{result['seconds']:>9.2f}{result['seconds'] / engine['seconds']:>10.1f}"
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
        f"KS / chi-square statistic {np.abs(difference[:, 1]).max():.1e}, "
        f"p-value {np.abs(difference[:, 2]).max():.1e}"
    )


def write_capture_files(workdir: Path, rows: int, baseline_rows: int) -> list[Path]:
    """``rows`` requests as SageMaker capture files (CSV encoding), written once and reused."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from sagestack_pipelines.drift.baseline import build_baseline, save

    marker = workdir / f"capture-{rows}.done"
    if not marker.exists():
        save(
            build_baseline(workload(baseline_rows, 1, False), categorical=CATEGORICAL),
            workdir / "baseline.json",
        )
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
        f"\nEngine streaming SageMaker capture files ({ROWS_PER_RECORD} CSV rows per record, "
        f"{len(files)} files, {size_gb:.1f} GB, {origin}):",
        flush=True,
    )
    print(
        f"{'rows':>12}{'files':>7}{'time s':>9}{'rows/s':>12}{'extra peak MB':>15}  flags exactly"
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
        print(
            f"{result['rows']:>12,}{count:>7}{result['seconds']:>9.1f}"
            f"{result['rows'] / result['seconds']:>12,.0f}{result['extra_peak_mb']:>15.0f}"
            f"  {_verdict(result['flagged'])}"
        )
    print(f"peak memory, {len(files)} files over 1 file: {peaks[1] / peaks[0]:.2f}x")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.drift_bench", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=100_000)
    parser.add_argument("--stream-rows", type=int, default=10_000_000)
    parser.add_argument("--skip-stream", action="store_true")
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
    results = compare_contenders(args, workdir)
    if not args.skip_stream:
        stream(args, workdir)
    return 1 if any("error" in result for result in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
