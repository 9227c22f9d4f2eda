"""Persist the local cloud's state across restarts (``sagestack local up --state-dir DIR``).

moto keeps every resource in memory and has no persistence of its own, so on stop every backend
that holds state is pickled (cloudpickle: backends hold lambdas and local classes) into one file
in the state folder, and on start the file is loaded back before the first request. Locks are
saved as fresh locks and private keys as PEM. A backend that still cannot be saved is skipped and
named in a warning, never silently lost. The file is tied to the pinned moto version.
"""

from __future__ import annotations

import io
import logging
import pickle
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

import cloudpickle
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.errors import StateFileError, StateVersionError

log = logging.getLogger(__name__)

STATE_FILE = "localcloud-state.pickle"
_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


def _load_private_key(pem: bytes) -> PrivateKeyTypes:
    return serialization.load_pem_private_key(pem, password=None)


def _new_defaultdict(cls: type[defaultdict], factory: Any) -> defaultdict:
    instance = defaultdict.__new__(cls)
    instance.default_factory = factory
    return instance


class _BackendPickler(cloudpickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        # defaultdict's own reduce calls cls(factory): moto's subclasses need more arguments
        if isinstance(obj, defaultdict) and type(obj) is not defaultdict:
            state = getattr(obj, "__dict__", None) or None
            arguments = (type(obj), obj.default_factory)
            return _new_defaultdict, arguments, state, None, iter(obj.items())
        if isinstance(obj, _LOCK_TYPES):
            return (threading.RLock if isinstance(obj, _LOCK_TYPES[1]) else threading.Lock), ()
        if hasattr(obj, "private_bytes") and hasattr(obj, "public_key"):
            pem = obj.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            return _load_private_key, (pem,)
        return super().reducer_override(obj)


def _dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    _BackendPickler(buffer).dump(value)
    return buffer.getvalue()


def save(state_dir: Path) -> list[str]:
    """Write every live backend to ``state_dir``; returns a reason per backend that was skipped."""
    snapshot: dict[tuple[str, str, str], bytes] = {}
    skipped = []
    for service, account_id, region, backend in moto_internals.live_backends():
        try:
            snapshot[(service, account_id, region)] = _dumps(backend)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            skipped.append(f"{service} ({account_id}/{region}): {error}")
    state_dir.mkdir(parents=True, exist_ok=True)
    partial = state_dir / f"{STATE_FILE}.partial"
    partial.write_bytes(pickle.dumps({"moto": moto_internals.MOTO_VERSION, "state": snapshot}))
    partial.replace(state_dir / STATE_FILE)
    for reason in skipped:
        log.warning("state not saved for %s", reason)
    return skipped


def load(state_dir: Path) -> int:
    """Restore what :func:`save` wrote to ``state_dir``; returns how many backends came back."""
    path = state_dir / STATE_FILE
    if not path.exists():
        return 0
    try:
        saved = pickle.loads(path.read_bytes())  # noqa: S301 - our own file, in the user's folder
    except (pickle.UnpicklingError, EOFError, ValueError) as error:
        raise StateFileError(path, error) from error
    if saved.get("moto") != moto_internals.MOTO_VERSION:
        raise StateVersionError(path, saved.get("moto"), moto_internals.MOTO_VERSION)
    for (service, account_id, region), blob in saved["state"].items():
        moto_internals.restore_backend(service, account_id, region, pickle.loads(blob))  # noqa: S301
    return len(saved["state"])
