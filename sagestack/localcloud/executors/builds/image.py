"""The local stand-in for CodeBuild's build image (aws/codebuild/standard:7.0 and the like).

A build gets a fresh Python environment of its own, made from this machine's Python 3.11 with
pip seeded, first on PATH, with uv beside it; ``python -m pip install`` or ``uv pip install``
change that environment and nothing else, as an install in a build container changes only the
container. HOME is a folder of the build's own (CodeBuild's is ``/root``; cache paths under
``/root/`` or ``~/`` mean this folder). uv reads the machine's cache (``UV_CACHE_DIR``), so an
install works offline once ``make`` has warmed it; ``UV_OFFLINE`` and ``PIP_NO_INDEX`` pass
through from the local cloud's environment (the tests set them: nothing is ever downloaded).

The Pulumi CLI a deploy build installs on AWS is here already: ``pulumi`` on PATH is
sagestack's local one (``python -m sagestack.deploy.pulumi_cli``, run by the local cloud's own
interpreter), which runs the project's program against the local cloud.

What the real image has and this one does not: other runtimes (Node.js, Java, Go, ...),
Docker, the AWS CLI v2 (the machine's ``aws``, if any, is on PATH), and root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

RUNTIMES = {"python": ("3.11",)}
_PASSED_THROUGH = (
    "UV_OFFLINE",
    "PIP_NO_INDEX",
    # the SageMaker SDK checks roles with iam:SimulatePrincipalPolicy, which the local cloud does
    # not answer (AWS refuses it to a build role, and the SDK then goes on with a warning)
    "SAGEMAKER_VALIDATE_ROLE",
    "LANG",
    "LC_ALL",
    "TZ",
    "TMPDIR",
)
_SYSTEM_PATH = ("/usr/local/bin", "/usr/bin", "/bin")


class ImageError(Exception):
    pass


PULUMI_SHIM = '#!/bin/sh\nexec "{python}" -m sagestack.deploy.pulumi_cli "$@"\n'


@dataclass(frozen=True)
class LocalImage:
    python_env: Path
    home: Path
    uv: str
    tools: Path  # commands the image provides besides Python's (``pulumi``)

    def environment(self) -> dict[str, str]:
        tool_dirs = [str(self.python_env / "bin"), str(Path(self.uv).parent), str(self.tools)]
        extra = [d for d in _machine_tool_dirs() if d not in tool_dirs]
        path = [*tool_dirs, *extra, *_SYSTEM_PATH]
        variables = {
            "PATH": os.pathsep.join(dict.fromkeys(path)),
            "HOME": str(self.home),
            "VIRTUAL_ENV": str(self.python_env),
            "UV_CACHE_DIR": uv_cache_dir(self.uv),
            "UV_PYTHON": str(self.python_env / "bin" / "python"),
            "PYTHONUNBUFFERED": "1",
        }
        variables.update({k: os.environ[k] for k in _PASSED_THROUGH if k in os.environ})
        return variables

    def map_path(self, path: str, src_dir: Path) -> Path | None:
        """Where a buildspec path (``/root/.cache/x``, ``~/x``, ``relative/x``) is here."""
        for home in ("/root/", "~/"):
            if path.startswith(home):
                return self.home / path[len(home) :]
        if path.startswith("/"):
            return None
        return src_dir / path


def provision(folder: Path) -> LocalImage:
    """A fresh image in ``folder`` (``python/`` and ``home/``)."""
    uv = _uv()
    python_env, home = folder / "python", folder / "home"
    home.mkdir(parents=True)
    done = _make_environment(uv, python_env, seed=True)
    if done.returncode != 0:  # pip is not in uv's cache (make puts it there): go without
        shutil.rmtree(python_env, ignore_errors=True)
        done = _make_environment(uv, python_env, seed=False)
    if done.returncode != 0:
        raise ImageError(f"could not create the build's Python environment: {done.stderr.strip()}")
    return LocalImage(python_env=python_env, home=home, uv=uv, tools=_tools(folder / "tools"))


def _tools(folder: Path) -> Path:
    folder.mkdir()
    pulumi = folder / "pulumi"
    pulumi.write_text(PULUMI_SHIM.format(python=sys.executable))
    pulumi.chmod(0o755)
    return folder


def _make_environment(uv: str, folder: Path, seed: bool) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            uv,
            "venv",
            "--quiet",
            *(["--seed"] if seed else []),
            "--python",
            base_python(),
            str(folder),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "UV_OFFLINE": "1"},  # the seed comes from the cache or not at all
    )


def base_python() -> str:
    """The machine's Python 3.11, not the local cloud's own virtual environment."""
    return getattr(sys, "_base_executable", None) or sys.executable


def _uv() -> str:
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
    if found is None:
        raise ImageError("uv is not installed: the local build image needs it (make installs it)")
    return found


def uv_cache_dir(uv: str) -> str:
    if os.environ.get("UV_CACHE_DIR"):
        return os.environ["UV_CACHE_DIR"]
    return _cached_uv_cache_dir(uv)


_UV_CACHE: dict[str, str] = {}


def _cached_uv_cache_dir(uv: str) -> str:
    if uv not in _UV_CACHE:
        done = subprocess.run([uv, "cache", "dir"], capture_output=True, text=True, check=True)
        _UV_CACHE[uv] = done.stdout.strip()
    return _UV_CACHE[uv]


def _machine_tool_dirs() -> list[str]:
    """Folders of the machine's git and aws, which the image offers as the real one does."""
    found = (shutil.which(tool) for tool in ("git", "aws"))
    return [str(Path(tool).parent) for tool in found if tool]
