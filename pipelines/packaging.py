"""Byte-for-byte reproducible zips of source files: identical sources make an identical zip, so
an S3 key carrying its hash changes exactly when the code does (the drift monitor's code package,
the policy pack the deploy builds fetch)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class CodePackage:
    data: bytes
    sha256: str
    kind: str
    """What it holds, the start of its file name (``drift-monitor``)."""

    @property
    def file_name(self) -> str:
        return f"{self.kind}-{self.sha256[:16]}.zip"


def reproducible_zip(kind: str, members: Mapping[str, bytes]) -> CodePackage:
    """``members`` (name in the zip → content) in name order, with fixed times and modes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in sorted(members.items()):
            info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    data = buffer.getvalue()
    return CodePackage(data=data, sha256=hashlib.sha256(data).hexdigest(), kind=kind)
