"""Durability: with a state folder, every acknowledged change survives a crash of the local cloud.

A journal of the requests that change state (:mod:`.journal`), each appended before its response
is sent and replayed on start, on top of a snapshot of every backend (:mod:`.snapshot`) that
compaction rewrites (:mod:`.store`). Replays reproduce ids and timestamps: each change runs with
a recorded seed and a frozen clock (:mod:`.gate`).

What an add-on needs to do to be covered: nothing, if its state lives in a backend (moto's, or
one registered through ``moto_internals.register_backends`` / ``addon_backends``) and changes
through requests, and if it draws randomness from ``moto_internals.mock_random`` (seeded per
change). Work that reaches outside the process (an HTTP delivery, a build or endpoint process)
checks :func:`replaying` and is skipped during a replay; the records it leaves in backends are
captured by the next snapshot.
"""

from __future__ import annotations

from sagestack.localcloud.durability.gate import replaying
from sagestack.localcloud.durability.journal import JournalingApp
from sagestack.localcloud.durability.store import Recovery, StateStore

__all__ = ["JournalingApp", "Recovery", "StateStore", "replaying"]
