"""Every live backend (moto's and the add-ons') pickled, and put back.

moto keeps every resource in memory and has no persistence of its own, so each backend is
pickled whole (cloudpickle: backends hold lambdas and local classes). Locks are saved as fresh
locks and private keys as PEM. A backend that cannot be saved, or cannot be loaded (saved by
another moto version, say), is named in the report, never silently lost and never a crash.
Only frames that verified against the folder's key (:mod:`.frames`) are ever unpickled.
"""

from __future__ import annotations

import io
import json
import pickle
import threading
from collections import defaultdict
from typing import Any

import cloudpickle
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from sagestack.localcloud import moto as moto_internals

_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))
_CONDITION_TYPE = threading.Condition


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
        if isinstance(obj, _CONDITION_TYPE):
            return threading.Condition, ()
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


def dump_backends() -> tuple[list[bytes], list[str]]:
    """One payload per live backend, and a reason for each backend that could not be saved."""
    payloads, skipped = [], []
    for service, account_id, region, backend in moto_internals.live_backends():
        try:
            blob = _dumps(backend)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            skipped.append(f"{service} ({account_id}/{region}) not saved: {error}")
            continue
        label = json.dumps({"service": service, "account": account_id, "region": region})
        payloads.append(label.encode() + b"\n" + blob)
    return payloads, skipped


def restore_backends(payloads: list[bytes]) -> tuple[int, list[str]]:
    """Put back what :func:`dump_backends` saved; returns how many came back, and why others
    did not."""
    restored, problems = 0, []
    for payload in payloads:
        label_bytes, _, blob = payload.partition(b"\n")
        label = json.loads(label_bytes)
        where = f"{label['service']} ({label['account']}/{label['region']})"
        try:
            backend = pickle.loads(blob)  # noqa: S301 - verified against the folder's key
            moto_internals.restore_backend(
                label["service"], label["account"], label["region"], backend
            )
        except Exception as error:  # noqa: BLE001 - any backend that fails is reported, not fatal
            problems.append(f"{where} not restored: {type(error).__name__}: {error}")
            continue
        restored += 1
    return restored, problems
