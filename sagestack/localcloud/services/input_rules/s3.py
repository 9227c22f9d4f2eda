"""S3: bucket names by S3's naming rules, and a POST no S3 operation answers.

Rules from "General purpose bucket naming rules" in the S3 User Guide
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from moto.s3.exceptions import InvalidBucketName, MethodNotAllowed

from sagestack.localcloud import moto as moto_internals

_NAME = re.compile(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def is_valid_bucket_name(name: str) -> bool:
    if not _NAME.fullmatch(name) or ".." in name:
        return False
    if name.startswith(_RESERVED_PREFIXES) or name.endswith(_RESERVED_SUFFIXES):
        return False
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return True
    return False  # formatted as an IP address


def checked_create_bucket(original: Any, backend: Any, *args: Any, **kwargs: Any) -> Any:
    name = moto_internals.call_arguments(backend, "create_bucket", args, kwargs)["bucket_name"]
    if not is_valid_bucket_name(name):
        raise InvalidBucketName()
    return original(*args, **kwargs)


def unknown_post_refused(original: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
    """moto looks a request's action up by method and query string, and fails with a KeyError
    when none matches (a POST on a key without ``?uploads``, say); S3 answers 405."""
    try:
        return original(*args, **kwargs)
    except KeyError as missing:
        raise MethodNotAllowed() from missing
