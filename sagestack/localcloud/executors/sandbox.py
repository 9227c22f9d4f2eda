"""SageMaker's container paths for a local process: ``/opt/ml`` is the job's own folder.

Scripts written for SageMaker read and write ``/opt/ml/...`` literally (AWS's samples do). On
Linux each job runs in a mount namespace of its own where the job's folder is bind-mounted on
``/opt/ml``: the script sees exactly the container's paths, and jobs running side by side see
their own. As root the namespace is a plain mount namespace (and ``/opt/ml`` is created on the
host once, as an empty mount point); otherwise a user namespace maps the user to root inside it,
and where ``/opt/ml`` cannot be created, a tmpfs on ``/opt`` holds it beside the host's ``/opt``
entries, bound back in. Where no namespace can be made (not Linux, or user namespaces disabled)
:func:`container_argv` raises: the job fails naming why, rather than writing to the host.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

CONTAINER_ROOT = Path("/opt/ml")

# $0 is the job's folder, "$@" the command. /opt/ml must exist to be a mount point; without it,
# the host's /opt is staged beside the job's folder (in the namespace only) and bound back.
_MOUNT_SCRIPT = r"""
set -e
if [ ! -d /opt/ml ]; then
  stage="$0.host-opt"
  mkdir -p "$stage"
  mount --rbind /opt "$stage"
  mount -t tmpfs tmpfs /opt
  for entry in "$stage"/* "$stage"/.[!.]*; do
    [ -e "$entry" ] || continue
    target="/opt/${entry##*/}"
    if [ -d "$entry" ]; then mkdir "$target"; else : > "$target"; fi
    mount --rbind "$entry" "$target"
  done
  mkdir /opt/ml
fi
mount --bind "$0" /opt/ml
exec "$@"
"""


class NoSandboxError(RuntimeError):
    def __init__(self, why: str):
        super().__init__(
            f"the local cloud cannot give this job SageMaker's /opt/ml: {why} (it needs Linux "
            "mount namespaces: root, or unprivileged user namespaces enabled)"
        )


def container_argv(job_folder: Path, argv: Sequence[str]) -> list[str]:
    """``argv`` run with ``job_folder`` mounted on ``/opt/ml``."""
    prefix = _namespace_prefix()
    return [*prefix, "sh", "-c", _MOUNT_SCRIPT, str(job_folder), *argv]


@functools.cache
def _namespace_prefix() -> tuple[str, ...]:
    unshare = shutil.which("unshare")
    if unshare is None:
        raise NoSandboxError("there is no unshare command (util-linux)")
    if os.geteuid() == 0:
        CONTAINER_ROOT.mkdir(parents=True, exist_ok=True)
        prefix: tuple[str, ...] = (unshare, "--mount", "--propagation", "private")
    else:
        prefix = (unshare, "--user", "--map-root-user", "--mount", "--propagation", "private")
    probe = subprocess.run([*prefix, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        raise NoSandboxError(f"{' '.join(prefix)} failed: {probe.stderr.strip()}")
    return prefix
