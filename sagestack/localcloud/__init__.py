"""The local cloud: an AWS-compatible endpoint on loopback, built on moto's server.

This package's names are the emulator's public API; code outside ``sagestack.localcloud``
(the demo, the scenarios) uses these and nothing deeper:

- :class:`LocalCloud` / :func:`start`: serve the endpoint in this process (``.url``, ``.stop()``);
- :func:`frozen_clock`: freeze the in-process clock, so only explicit advances move it;
- :class:`SnsReceiver`: an HTTP receiver for SNS deliveries (the on-call engineer's pager).

Names resolve on first use, so importing the package (for its errors, say) does not load moto.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "LocalCloud": "sagestack.localcloud.server",
    "start": "sagestack.localcloud.server",
    "frozen_clock": "sagestack.localcloud.clock",
    "SnsReceiver": "sagestack.localcloud.testing.receiver",
    "ReceivedMessage": "sagestack.localcloud.testing.receiver",
    # SNS message types, as the receiver records them
    "NOTIFICATION": "sagestack.localcloud.testing.receiver",
    "SUBSCRIPTION_CONFIRMATION": "sagestack.localcloud.testing.receiver",
}
_RENAMED = {"frozen_clock": "frozen"}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(_PUBLIC[name])
    return getattr(module, _RENAMED.get(name, name))
