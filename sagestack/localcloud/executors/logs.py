"""A job's output in CloudWatch Logs, line by line while it runs.

Writes go through the Logs API with the job's own credentials, as on AWS: a role that may not
create the log stream or put events there gets AccessDenied, and the executor reports it the
way the service does. Lines are batched for at most :data:`FLUSH_SECONDS`, so a reader following
the stream sees output within a fraction of a second.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

FLUSH_SECONDS = 0.2
MAX_BATCH = 1000
# PutLogEvents takes events of up to 256 KB (with 26 bytes of overhead each)
MAX_MESSAGE_BYTES = 256 * 1024 - 26


class LogStream:
    """One log stream a running job writes to; :meth:`close` flushes what is left."""

    def __init__(self, client: Any, group: str, stream: str):
        self.client, self.group, self.stream = client, group, stream
        self.error: Exception | None = None
        self._pending: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._create()
        self._flusher = threading.Thread(target=self._flush_periodically, daemon=True)
        self._flusher.start()

    def _create(self) -> None:
        exists = self.client.exceptions.ResourceAlreadyExistsException
        with contextlib.suppress(exists):
            self.client.create_log_group(logGroupName=self.group)
        with contextlib.suppress(exists):
            self.client.create_log_stream(logGroupName=self.group, logStreamName=self.stream)

    def write(self, line: str) -> None:
        message = _fit(line)
        with self._lock:
            self._pending.append({"timestamp": int(time.time() * 1000), "message": message})

    def _flush_periodically(self) -> None:
        while not self._closed.wait(FLUSH_SECONDS):
            self.flush()

    def flush(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
        for start in range(0, len(batch), MAX_BATCH):
            try:
                self.client.put_log_events(
                    logGroupName=self.group,
                    logStreamName=self.stream,
                    logEvents=batch[start : start + MAX_BATCH],
                )
            except Exception as error:  # kept for the executor to report; output goes on
                self.error = error

    def close(self) -> None:
        self._closed.set()
        self._flusher.join()
        self.flush()


def _fit(line: str) -> str:
    data = line.encode("utf-8")
    if len(data) <= MAX_MESSAGE_BYTES:
        return line or " "  # CloudWatch refuses empty messages
    return data[:MAX_MESSAGE_BYTES].decode("utf-8", errors="ignore")
