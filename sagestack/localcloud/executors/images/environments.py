"""One cached virtual environment per image, installed with uv, found by jobs.

Environments live under ``$SAGESTACK_IMAGE_ENVS`` (default ``~/.cache/sagestack/images``), one
folder per image and fingerprint of what it installs, so a changed catalog gets a new folder and
two images with the same libraries share one. ``make`` installs them before any test runs; a
job never installs anything (tests never reach a package registry), it fails instead, naming
the command that installs the missing image.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from sagestack.localcloud.executors.images.catalog import ImageSpec

ENV_ROOT_VARIABLE = "SAGESTACK_IMAGE_ENVS"
_COMPLETE_MARKER = ".sagestack-complete"


class ImageNotInstalledError(RuntimeError):
    def __init__(self, spec: ImageSpec, where: Path):
        super().__init__(
            f"the environment of image {spec.framework} {spec.version} is not installed (looked "
            f"in {where}); install it with `sagestack local images install {spec.name}`"
        )


def environments_root() -> Path:
    configured = os.environ.get(ENV_ROOT_VARIABLE)
    if configured:
        return Path(configured)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "sagestack" / "images"


def environment_folder(spec: ImageSpec) -> Path:
    return environments_root() / f"{spec.framework}-{spec.fingerprint}"


def is_installed(spec: ImageSpec) -> bool:
    return (environment_folder(spec) / _COMPLETE_MARKER).exists()


def environment_python(spec: ImageSpec) -> Path:
    """The Python a job on ``spec`` runs with; raises if its environment is not installed."""
    folder = environment_folder(spec)
    if not is_installed(spec):
        raise ImageNotInstalledError(spec, folder)
    return folder / "bin" / "python"


def install(spec: ImageSpec, offline: bool = False) -> Path:
    """Install ``spec``'s environment unless it is there; returns its folder.

    The completion marker is written last: an interrupted install leaves a folder without it,
    which the next install removes and redoes, and which no job mistakes for an environment.
    """
    folder = environment_folder(spec)
    if is_installed(spec):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    _uv("venv", "--quiet", "--python", sys.executable, str(folder))
    flags = ["--offline"] if offline else []
    python = folder / "bin" / "python"
    # compiled now, so no job pays for compiling the libraries it imports (jobs may run with
    # PYTHONDONTWRITEBYTECODE, and would then compile them on every start)
    _uv(
        "pip",
        "install",
        "--quiet",
        "--compile-bytecode",
        *flags,
        "--python",
        str(python),
        *spec.requirements(),
    )
    (folder / _COMPLETE_MARKER).write_text("\n".join(spec.requirements()) + "\n")
    return folder


def _uv(*args: str) -> None:
    from uv import find_uv_bin

    result = subprocess.run([find_uv_bin(), *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"uv {' '.join(args[:2])} failed: {result.stderr.strip()}")
