"""moto's SQS queue in constant time per message, instead of a list scanned on every call.

moto keeps a queue's messages in a list and rebuilds the list of visible ones on every send
(``Queue.attributes`` counts them), receive, delete and visibility change, so a queue nobody
drains slows every call down (32 threads x 200 sends to one queue did not finish in 9.5 min).
Here a queue keeps an index: messages by sequence number, receipt handles to messages, a heap of
ready messages in send order and a heap of the others by the time they become visible. Sends,
deletes and visibility changes are O(log n); a receive is O(k log n) for k messages (plus, on a
FIFO queue, the messages it passes over in groups that have messages in flight). Lambda event
source mappings on a queue are not run (moto ran them on send; the platform has none).
"""

from __future__ import annotations

import heapq
import time
from collections import OrderedDict
from collections.abc import Callable
from copy import deepcopy

from moto.core.utils import unix_time, unix_time_millis
from moto.sqs.exceptions import ReceiptHandleIsInvalid
from moto.sqs.models import (
    DEDUPLICATION_TIME_IN_SECONDS,
    Message,
    Queue,
    SQSBackend,
    _filter_message_attributes,
)

_INDEX = "_sagestack_index"
_DELETED_HANDLES_KEPT = 100_000  # deleting a deleted message again succeeds, as in SQS
# waiter(queue, seconds) -> keep waiting? A journal swaps in one that lets other writes through.
Waiter = Callable[[Queue, float], bool]


class MessageIndex:
    def __init__(self, messages: list[Message]) -> None:
        self.live: dict[int, Message] = {}
        self.by_handle: dict[str, Message] = {}
        self.ready: list[int] = []
        self.ready_seqs: set[int] = set()
        self.later: list[tuple[float, int]] = []  # (when visible, seq): in flight or delayed
        self.in_flight: set[int] = set()
        self.deleted: OrderedDict[str, None] = OrderedDict()
        self.dedup: dict[str, float] = {}
        self.next_seq = 0
        for message in messages:
            self.add(message)

    def add(self, message: Message) -> None:
        self.next_seq += 1
        message._sagestack_seq = self.next_seq  # type: ignore[attr-defined]
        self.live[self.next_seq] = message
        for handle in message.all_receipt_handles:
            if handle:
                self.by_handle[handle] = message
        self.place(message)

    def place(self, message: Message) -> None:
        """File a message as ready or for later, by its visibility and delay."""
        seq = message._sagestack_seq  # type: ignore[attr-defined]
        due = max(message.visible_at, message.delayed_until)
        self.ready_seqs.discard(seq)
        if due < unix_time_millis():
            self.in_flight.discard(seq)
            self.ready_seqs.add(seq)
            heapq.heappush(self.ready, seq)
        else:
            if message.visible_at > message.delayed_until:
                self.in_flight.add(seq)
            heapq.heappush(self.later, (due, seq))

    def promote(self) -> None:
        now = unix_time_millis()
        while self.later and self.later[0][0] < now:
            _due, seq = heapq.heappop(self.later)
            message = self.live.get(seq)
            if message is not None and seq not in self.ready_seqs:
                self.place(message)

    def pop_ready(self) -> Message | None:
        while self.ready:
            seq = heapq.heappop(self.ready)
            if seq in self.ready_seqs and seq in self.live:
                self.ready_seqs.discard(seq)
                return self.live[seq]
        return None

    def remove(self, message: Message) -> None:
        seq = message._sagestack_seq  # type: ignore[attr-defined]
        self.live.pop(seq, None)
        self.ready_seqs.discard(seq)
        self.in_flight.discard(seq)
        for handle in message.all_receipt_handles:
            if handle:
                self.by_handle.pop(handle, None)
                self.deleted[handle] = None
        while len(self.deleted) > _DELETED_HANDLES_KEPT:
            self.deleted.popitem(last=False)

    def counts(self) -> tuple[int, int, int]:
        """(visible, in flight, delayed)."""
        self.promote()
        visible, in_flight = len(self.ready_seqs), len(self.in_flight)
        return visible, in_flight, len(self.live) - visible - in_flight


def index(queue: Queue) -> MessageIndex:
    found = queue.__dict__.get(_INDEX)
    if found is None:
        found = MessageIndex(queue.__dict__.pop("_messages", []))
        queue.__dict__[_INDEX] = found
    return found


def _set_messages(queue: Queue, messages: list[Message]) -> None:
    queue.__dict__[_INDEX] = MessageIndex(list(messages))


def _add_message(queue: Queue, message: Message) -> None:
    messages = index(queue)
    if queue.fifo_queue and message.deduplication_id:
        now = message.sent_timestamp or unix_time_millis()
        horizon = now - DEDUPLICATION_TIME_IN_SECONDS * 1000
        messages.dedup = {k: t for k, t in messages.dedup.items() if t > horizon}
        if message.deduplication_id in messages.dedup:
            return
        messages.dedup[message.deduplication_id] = now
    with queue._messages_lock:
        messages.add(message)
        queue._messages_lock.notify_all()


def _delete_message(queue: Queue, receipt_handle: str) -> None:
    messages = index(queue)
    if receipt_handle in messages.deleted:
        return
    message = messages.by_handle.get(receipt_handle)
    if message is None:
        raise ReceiptHandleIsInvalid()
    messages.remove(message)


def _wait_for_messages(queue: Queue, timeout: float) -> None:
    with queue._messages_lock:
        queue._messages_lock.wait_for(lambda: index(queue).counts()[0] > 0, timeout=timeout)


def _condition_wait(queue: Queue, seconds: float) -> bool:
    queue.wait_for_messages(min(seconds, 1.0))
    return True


_waiter: list[Waiter] = [_condition_wait]


def set_long_poll_waiter(waiter: Waiter | None) -> None:
    """How a long poll waits (None: on the queue's condition, the default)."""
    _waiter[0] = waiter or _condition_wait


def _receive_message(
    backend: SQSBackend,
    queue_name: str,
    count: int,
    wait_seconds_timeout: int,
    visibility_timeout: int,
    message_attribute_names: list[str] | None = None,
) -> list[Message]:
    queue = backend.get_queue(queue_name)
    deadline = time.monotonic() + wait_seconds_timeout
    while True:
        result = _receive_now(queue, count, visibility_timeout, message_attribute_names or [])
        remaining = deadline - time.monotonic()
        if result or remaining <= 0 or not _waiter[0](queue, remaining):
            return result


def _receive_now(
    queue: Queue, count: int, visibility_timeout: int, attribute_names: list[str]
) -> list[Message]:
    messages = index(queue)
    messages.promote()
    blocked_groups = _groups_in_flight(queue, messages) if queue.fifo_queue else set()
    passed_over: list[Message] = []
    result: list[Message] = []
    while len(result) < count:
        message = messages.pop_ready()
        if message is None:
            break
        if queue.fifo_queue and message.group_id in blocked_groups:
            passed_over.append(message)
            continue
        if _expired(queue, message):
            messages.remove(message)
            continue
        if _to_dead_letters(queue, message):
            messages.remove(message)
            queue.dead_letter_queue.add_message(message)  # type: ignore[union-attr]
            continue
        old_handle = message.receipt_handle
        message.mark_received(visibility_timeout=visibility_timeout)
        messages.by_handle[message.receipt_handle] = message  # type: ignore[index]
        if old_handle:
            messages.by_handle[old_handle] = message
        messages.place(message)
        copy = deepcopy(message)
        _filter_message_attributes(copy, attribute_names)
        result.append(copy)
    for message in passed_over:
        messages.place(message)
    return result


def _groups_in_flight(queue: Queue, messages: MessageIndex) -> set[str]:
    return {messages.live[s].group_id for s in messages.in_flight if s in messages.live}  # type: ignore[misc]


def _expired(queue: Queue, message: Message) -> bool:
    retention_seconds = int(queue.message_retention_period)  # type: ignore[arg-type]
    return retention_seconds + (message.sent_timestamp or 0) / 1000 <= unix_time()


def _to_dead_letters(queue: Queue, message: Message) -> bool:
    policy = queue.redrive_policy
    return bool(
        queue.dead_letter_queue is not None
        and policy
        and message.approximate_receive_count >= policy["maxReceiveCount"]
    )


def _change_message_visibility(
    backend: SQSBackend, queue_name: str, receipt_handle: str, visibility_timeout: int
) -> None:
    queue = backend.get_queue(queue_name)
    messages = index(queue)
    message = messages.by_handle.get(receipt_handle)
    if message is None:
        raise ReceiptHandleIsInvalid
    limit_ms = 43200 * 1000
    if unix_time_millis() + int(visibility_timeout) * 1000 - message.sent_timestamp > limit_ms:  # type: ignore[operator]
        from moto.sqs.exceptions import InvalidParameterValue

        raise InvalidParameterValue(
            f"Value {visibility_timeout} for parameter VisibilityTimeout is invalid. Reason: "
            "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]"
        )
    message.change_visibility(visibility_timeout)
    messages.in_flight.discard(message._sagestack_seq)  # type: ignore[attr-defined]
    messages.place(message)


def install() -> None:
    """Replace moto's list-scanning queue operations (idempotent)."""
    if getattr(Queue, "__sagestack_indexed__", False):
        return
    Queue._messages = property(  # type: ignore[assignment]
        lambda queue: list(index(queue).live.values()), _set_messages
    )
    Queue.messages = property(  # type: ignore[assignment,method-assign]
        lambda queue: _visible(queue)
    )
    Queue.approximate_number_of_messages = property(lambda q: index(q).counts()[0])  # type: ignore[assignment,method-assign]
    Queue.approximate_number_of_messages_not_visible = property(lambda q: index(q).counts()[1])  # type: ignore[assignment,method-assign]
    Queue.approximate_number_of_messages_delayed = property(lambda q: index(q).counts()[2])  # type: ignore[assignment,method-assign]
    Queue.pending_message_groups = property(  # type: ignore[assignment,method-assign]
        lambda q: _groups_in_flight(q, index(q))
    )
    Queue.add_message = _add_message  # type: ignore[method-assign]
    Queue.delete_message = _delete_message  # type: ignore[method-assign]
    Queue.wait_for_messages = _wait_for_messages  # type: ignore[method-assign]
    SQSBackend.receive_message = _receive_message  # type: ignore[method-assign,assignment]
    SQSBackend.change_message_visibility = _change_message_visibility  # type: ignore[method-assign]
    Queue.__sagestack_indexed__ = True  # type: ignore[attr-defined]


def _visible(queue: Queue) -> list[Message]:
    messages = index(queue)
    messages.promote()
    return [messages.live[seq] for seq in sorted(messages.ready_seqs) if seq in messages.live]
