"""What a build keeps on disk beyond its checkout: ``cache.paths`` between builds of a project,
and the artifacts it uploads.

Cache: with a project cache of type S3 or LOCAL (``LOCAL_CUSTOM_CACHE``), the directories named by
``cache.paths`` are restored after the source download and saved after the build, as CodeBuild
does (with ``NO_CACHE`` it skips them: ``Skip cache due to: ...``). A path is its directory part
before the first wildcard (``/root/.cache/pip/**/*`` is ``/root/.cache/pip``); ``/root/`` and
``~/`` are the build's HOME. Locally the cache lives in a folder per project, not in S3: restore
links the saved files in (hard links, so a warm restore of a large tree takes a moment), save
moves the build's directories there.
"""

from __future__ import annotations

import fnmatch
import io
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

from sagestack.localcloud.executors.builds.image import LocalImage

_WILDCARDS = "*?["


class ArtifactError(Exception):
    pass


def cache_enabled(project_cache: dict) -> bool:
    kind = (project_cache or {}).get("type", "NO_CACHE")
    if kind == "S3":
        return True
    return kind == "LOCAL" and "LOCAL_CUSTOM_CACHE" in (project_cache.get("modes") or [])


def cache_directories(paths: tuple[str, ...], image: LocalImage, src: Path) -> list[Path]:
    directories = []
    for pattern in paths:
        static = pattern.split("/")
        cut = next((i for i, part in enumerate(static) if any(c in part for c in _WILDCARDS)), None)
        prefix = "/".join(static[:cut]) if cut is not None else pattern
        mapped = image.map_path(prefix.rstrip("/") or ".", src)
        if mapped is not None:
            directories.append(mapped)
    return directories


def restore_cache(store: Path, directories: list[Path], log: Callable[[str], None]) -> None:
    for index, directory in enumerate(directories):
        saved = store / str(index)
        if not saved.is_dir():
            log(f"Cache miss for {directory}")
            continue
        directory.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cp", "-al", f"{saved}/.", str(directory)], check=False)
        log(f"Restored cache for {directory}")


def save_cache(store: Path, directories: list[Path], log: Callable[[str], None]) -> None:
    store.mkdir(parents=True, exist_ok=True)
    for index, directory in enumerate(directories):
        if not directory.is_dir():
            continue
        target = store / str(index)
        staging = store / f".{index}.new"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.move(str(directory), staging)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
        log(f"Saved cache for {directory}")


def artifact_files(
    base: Path, patterns: tuple[str, ...], excludes: tuple[str, ...]
) -> list[tuple[Path, str]]:
    """``(file, name in the artifact)`` for every file the buildspec's ``files`` match."""
    found: dict[str, Path] = {}
    for pattern in patterns:
        matches = (
            [base / pattern] if not any(c in pattern for c in _WILDCARDS) else base.glob(pattern)
        )
        for path in matches:
            for file in [path] if path.is_file() else (path.rglob("*") if path.is_dir() else []):
                if not file.is_file():
                    continue
                name = file.relative_to(base).as_posix()
                if not any(fnmatch.fnmatch(name, exclude) for exclude in excludes):
                    found[name] = file
    return [(file, name) for name, file in sorted(found.items())]


def zipped(files: list[tuple[Path, str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file, name in files:
            archive.write(file, name)
    return buffer.getvalue()
