"""moto's randomness, drawn from moto's own seedable source everywhere the platform meets it.

A journal replay reproduces ids only if every random draw comes from a source the journal
seeds (``mock_random``, and Python's ``random``). Most of moto uses ``mock_random``; KMS key
material comes from ``os.urandom``, so a replayed key could not decrypt what the first one
encrypted. Asymmetric KMS keys (``cryptography`` generates them) are still not reproducible:
they come back from the next snapshot, not from a replay.
"""

from __future__ import annotations

from moto.moto_api._internal import mock_random

KEY_MATERIAL_BYTES = 32


def _seeded_master_key() -> bytes:
    return mock_random.randbytes(KEY_MATERIAL_BYTES)


def install() -> None:
    import moto.kms.models

    moto.kms.models.generate_master_key = _seeded_master_key


def random_uuid() -> str:
    return str(mock_random.uuid4())


def random_hex(characters: int) -> str:
    return mock_random.get_random_hex(characters)


def random_token(nbytes: int) -> str:
    return mock_random.token_urlsafe(nbytes)
