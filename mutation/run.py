"""``make mutate``: mutation testing of the critical modules (mutation/modules.toml) with
cosmic-ray, in parallel, resuming where the last run stopped, scored per module.

cosmic-ray mutates a module's file in place and runs its tests once per mutant. To run modules
side by side, each worker gets a copy of the working tree under ``.mutation/trees/``, and a
``pkgs/`` folder of links that puts the copy's ``sagestack``, ``sagestack_infra`` and
``sagestack_pipelines`` first on ``PYTHONPATH`` (the editable install would otherwise import the
unmutated originals). A module's session is kept in ``.mutation/sessions/`` and reused while the
module and its tests are unchanged, so a second run only reports.

A mutant is detected when its tests fail, time out, or cannot import it. Survivors listed in
``mutation/equivalent.toml`` (reviewed, each with a reason) do not count against the score.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import queue
import shutil
import sqlite3
import subprocess
import sys
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cosmic_ray.work_db import use_db
from cosmic_ray.work_item import WorkerOutcome, WorkResult

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".mutation"
TARGET = 0.90
TIMEOUT_SECONDS = 300.0
PACKAGES = {
    "sagestack": "sagestack",
    "sagestack_infra": "infra",
    "sagestack_pipelines": "pipelines",
}
DETECTED = {"killed", "incompetent"}


@dataclass(frozen=True)
class Module:
    path: str
    tests: tuple[str, ...]

    @property
    def slug(self) -> str:
        return self.path.replace("/", "__").removesuffix(".py")


@dataclass
class Score:
    module: str
    total: int = 0
    detected: int = 0
    equivalent: int = 0
    pending: int = 0
    ran: bool = True
    survivors: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        counted = self.total - self.equivalent - self.pending
        return 1.0 if counted == 0 else self.detected / counted


def load_modules(only: str | None) -> list[Module]:
    entries = tomllib.loads((ROOT / "mutation" / "modules.toml").read_text())["module"]
    modules = [Module(entry["path"], tuple(entry["tests"])) for entry in entries]
    return [module for module in modules if only is None or only in module.path]


def load_equivalents() -> list[dict]:
    text = (ROOT / "mutation" / "equivalent.toml").read_text()
    return tomllib.loads(text).get("equivalent", [])


def fingerprint(module: Module) -> list[str]:
    """The digests of the module's source and of its tests (and their list)."""
    tests = []
    for test in module.tests:
        path = ROOT / test
        tests += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return [_digest([ROOT / module.path]), _digest(tests)]


def _digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def prepare_tree(index: int) -> Path:
    """A fresh copy of the working tree (tracked and untracked, not ignored files)."""
    tree = WORK / "trees" / f"w{index}"
    shutil.rmtree(tree, ignore_errors=True)
    listed = (
        subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not name.startswith(".mutation/"):
            target = tree / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    packages = tree / "pkgs"
    packages.mkdir()
    for name, folder in PACKAGES.items():
        (packages / name).symlink_to(tree / folder, target_is_directory=True)
    return tree


def session_files(module: Module) -> tuple[Path, Path, Path]:
    sessions = WORK / "sessions"
    sessions.mkdir(parents=True, exist_ok=True)
    base = sessions / module.slug
    return base.with_suffix(".toml"), base.with_suffix(".sqlite"), base.with_suffix(".sha256")


def test_command(module: Module) -> list[str]:
    # hypothesis's pytest plugin imports hypothesis at the terminal summary when no test did, and
    # CPython 3.11.7 then fails to compile it ("AST constructor recursion depth mismatch") after
    # the deploy tests: every run would fail and every mutant would count as killed.
    plugins_off = ["cacheprovider", "xdist", "randomly", "hypothesispytest"]
    options = [argument for name in plugins_off for argument in ("-p", f"no:{name}")]
    fresh = "mutation/fresh_pytest.py"  # see there: no mutant runs as another's bytecode
    return [sys.executable, fresh, module.path, "-x", "-q", *options, *module.tests]


def run_module(module: Module, tree: Path, keep_detected: bool) -> None:
    config, session, stamp = session_files(module)
    config.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{module.path}"\n'
        f"timeout = {TIMEOUT_SECONDS}\n"
        "excluded-modules = []\n"
        f'test-command = "{" ".join(test_command(module))}"\n'
        '[cosmic-ray.distributor]\nname = "local"\n'
    )
    current = fingerprint(module)
    recorded = stamp.read_text().split() if stamp.exists() and session.exists() else []
    if recorded != current:
        # A mutant counts as caught when its tests fail: they must pass on the original first.
        _in_tree(tree, test_command(module))
        if keep_detected and recorded[:1] == current[:1]:
            forget_survivors(session)
        else:
            session.unlink(missing_ok=True)
            _in_tree(tree, [_COSMIC_RAY, "init", str(config), str(session)])
            skip_annotations(module, session)
        stamp.write_text("\n".join(current))
    _in_tree(tree, [_COSMIC_RAY, "exec", str(config), str(session)])


def forget_survivors(session: Path) -> None:
    """Drop the survivors' results so they run again; the detected mutants stay detected, which
    holds only while the module is unchanged and its tests were added to, not weakened."""
    with sqlite3.connect(session) as db:
        db.execute("DELETE FROM work_results WHERE test_outcome = 'SURVIVED'")


_COSMIC_RAY = str(Path(sys.executable).with_name("cosmic-ray"))


def skip_annotations(module: Module, session: Path) -> None:
    """Mark the mutants inside type annotations skipped (scored as equivalent, never run): under
    ``from __future__ import annotations`` an annotation is a string nothing evaluates."""
    spans = annotation_spans(ast.parse((ROOT / module.path).read_text()))
    with use_db(str(session)) as db:
        for item in list(db.pending_work_items):
            if all(_within(m.start_pos, m.end_pos, spans) for m in item.mutations):
                skipped = WorkResult(worker_outcome=WorkerOutcome.SKIPPED)
                db.set_result(item.job_id, skipped)


def annotation_spans(tree: ast.Module) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    postponed = any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(alias.name == "annotations" for alias in node.names)
        for node in tree.body
    )
    if not postponed:
        return []
    annotations: list[ast.expr | None] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign | ast.arg):
            annotations.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            annotations.append(node.returns)
    return [
        ((a.lineno, a.col_offset), (a.end_lineno or a.lineno, a.end_col_offset or 0))
        for a in annotations
        if a is not None
    ]


def _within(start, end, spans) -> bool:
    return any(low <= tuple(start) and tuple(end) <= high for low, high in spans)


def _in_tree(tree: Path, command: list[str]) -> None:
    environment = {**os.environ, "PYTHONPATH": str(tree / "pkgs")}
    subprocess.run(command, cwd=tree, env=environment, check=True, capture_output=True)


def score(module: Module, equivalents: list[dict], stale: list[str]) -> Score:
    _config, session, _stamp = session_files(module)
    text = (ROOT / module.path).read_text()
    lines, annotations = text.splitlines(), annotation_spans(ast.parse(text))
    reviewed = [e for e in equivalents if e["module"] == module.path]
    matched: set[int] = set()
    result = Score(module.path)
    if not session.exists():
        result.ran = False
        return result
    dump = subprocess.run(
        [_COSMIC_RAY, "dump", str(session)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in dump.splitlines():
        item, outcome = json.loads(line)
        result.total += 1
        if not outcome:
            result.pending += 1
            continue
        mutation = item["mutations"][0]
        in_annotation = _within(mutation["start_pos"], mutation["end_pos"], annotations)
        if outcome["worker_outcome"] == "skipped" or in_annotation:  # see skip_annotations
            result.equivalent += 1
            continue
        if outcome["test_outcome"] in DETECTED or outcome["worker_outcome"] == "timeout":
            result.detected += 1
            continue
        number = mutation["start_pos"][0]
        source = lines[number - 1].strip() if number <= len(lines) else ""
        found = _reviewed(reviewed, mutation, source)
        if found is not None:
            matched.add(found)
            result.equivalent += 1
        else:
            result.survivors.append(
                f"{module.path}:{number} {mutation['operator_name']} #{mutation['occurrence']}: "
                f"{source}"
            )
    stale += [
        f"{module.path}: {e['operator']} #{e['occurrence']} ({e['line']!r}) matches no survivor"
        for index, e in enumerate(reviewed)
        if index not in matched
    ]
    return result


def _reviewed(reviewed: list[dict], mutation: dict, source: str) -> int | None:
    for index, entry in enumerate(reviewed):
        same = (entry["operator"], entry["occurrence"]) == (
            mutation["operator_name"],
            mutation["occurrence"],
        )
        if same and entry["line"].strip() == source:
            return index
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make mutate", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", help="mutate only modules whose path contains this")
    parser.add_argument("--report", action="store_true", help="report the last run only")
    parser.add_argument(
        "--keep-detected",
        action="store_true",
        help="where only a module's tests changed (tests added, none weakened), run only its "
        "survivors again",
    )
    args = parser.parse_args(argv)
    modules = load_modules(args.only)
    if not args.report:
        _run_all(modules, max(1, args.workers), args.keep_detected)
    stale: list[str] = []
    scores = [score(module, load_equivalents(), stale) for module in modules]
    return _print(scores, stale)


def _run_all(modules: list[Module], workers: int, keep_detected: bool) -> None:
    pending: queue.Queue[Module] = queue.Queue()
    for module in modules:
        pending.put(module)
    failures: list[str] = []

    def work(index: int) -> None:
        tree = prepare_tree(index)
        while True:
            try:
                module = pending.get_nowait()
            except queue.Empty:
                return
            print(f"mutating {module.path}", file=sys.stderr, flush=True)
            try:
                run_module(module, tree, keep_detected)
            except subprocess.CalledProcessError as error:
                output = (error.stdout + error.stderr).decode(errors="replace")
                failures.append(f"{module.path}: {' '.join(error.cmd[:3])}...: {output[-500:]}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for failure in failures:
        print(f"mutation run failed on {failure}", file=sys.stderr)


def _print(scores: list[Score], stale: list[str]) -> int:
    print(f"{'module':60} {'mutants':>7} {'detected':>8} {'equiv.':>6} {'score':>6}")
    below = 0
    for s in scores:
        if not s.ran:
            below += 1
            print(f"{s.module:60} not run (its tests fail unmutated, or cosmic-ray failed)")
            continue
        flag = "" if s.ratio >= TARGET else "  < 90%"
        below += bool(flag)
        pending = f" ({s.pending} not run)" if s.pending else ""
        print(
            f"{s.module:60} {s.total:>7} {s.detected:>8} {s.equivalent:>6} {s.ratio:>6.1%}"
            f"{flag}{pending}"
        )
    for s in scores:
        for survivor in s.survivors:
            print(f"survived: {survivor}")
    for entry in stale:
        print(f"stale equivalent: {entry}")
    return 1 if below or stale else 0


if __name__ == "__main__":
    sys.exit(main())
