"""SQS message sizes as SQS counts them: the body and every attribute's name, type and value,
in bytes, against the queue's MaximumMessageSize (256 KiB unless the queue says otherwise).
moto compares the body's length in characters only."""

from __future__ import annotations

import base64
from typing import Any

from moto.sqs.exceptions import InvalidParameterValue

from sagestack.localcloud import moto as moto_internals


def checked_send_message(original: Any, backend: Any, *args: Any, **kwargs: Any) -> Any:
    given = moto_internals.call_arguments(backend, "send_message", args, kwargs)
    queue = backend.get_queue(given["queue_name"])
    size = message_size(given["message_body"] or "", given["message_attributes"] or {})
    limit = int(queue.maximum_message_size)
    if size > limit:
        raise InvalidParameterValue(
            f"One or more parameters are invalid. Reason: Message must be shorter than {limit} "
            "bytes."
        )
    return original(*args, **kwargs)


def message_size(body: str, attributes: dict[str, Any]) -> int:
    size = len(body.encode("utf-8"))
    for name, attribute in attributes.items():
        size += len(name.encode("utf-8")) + len(str(attribute.get("DataType", "")).encode())
        size += len(str(attribute.get("StringValue") or "").encode("utf-8"))
        binary = attribute.get("BinaryValue") or b""
        size += len(binary) if isinstance(binary, bytes) else len(base64.b64decode(binary))
    return size
