"""Durability and SQS: write throughput with the journal off, on, and fsync'd; restart time with
10,000 resources (journal replay, and from a snapshot); SQS send and receive time with 10,000 and
100,000 messages queued, against moto's own list-backed queue (the baseline, same command).

    python -m benchmarks.durability [--writes N] [--resources N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import boto3

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.server import LocalCloud


def _ssm(url: str):
    return boto3.client("ssm", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip


def writes_per_second(state_dir: Path | None, fsync: bool, writes: int) -> float:
    moto_internals.reset_state()
    with LocalCloud(port=0, state_dir=state_dir, fsync=fsync) as cloud:
        ssm = _ssm(cloud.url)
        started = time.perf_counter()
        for index in range(writes):
            ssm.put_parameter(Name=f"/bench/{index}", Value="v", Type="String")
        return writes / (time.perf_counter() - started)


def restart_seconds(resources: int) -> tuple[float, float]:
    """(replaying a journal of ``resources`` puts, loading them from a snapshot)."""
    with tempfile.TemporaryDirectory() as folder:
        moto_internals.reset_state()
        cloud = LocalCloud(port=0, state_dir=Path(folder)).start()
        ssm = _ssm(cloud.url)
        for index in range(resources):
            ssm.put_parameter(Name=f"/restart/{index}", Value="v", Type="String")
        cloud._server.shutdown()
        cloud._server.server_close()
        cloud._store._journal.close()  # a crash: nothing compacted
        timings = []
        for _ in range(2):  # first from the journal; its clean stop compacts to a snapshot
            moto_internals.reset_state()
            started = time.perf_counter()
            restarted = LocalCloud(port=0, state_dir=Path(folder)).start()
            timings.append(time.perf_counter() - started)
            restarted.stop()
        return timings[0], timings[1]


def sqs_call_ms(queued: int, indexed: bool, calls: int = 100) -> tuple[float, float]:
    """Milliseconds per send and per receive+delete with ``queued`` messages waiting."""
    from moto.sqs.models import Queue, SQSBackend

    saved = {name: Queue.__dict__.get(name) for name in vars(Queue)}
    saved_backend = {n: SQSBackend.__dict__.get(n) for n in ("receive_message",)}
    moto_internals.reset_state()
    with LocalCloud(port=0) as cloud:
        if not indexed:
            _restore_moto_queue(saved, saved_backend)
        sqs = boto3.client("sqs", endpoint_url=cloud.url, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip
        url = sqs.create_queue(QueueName="bench")["QueueUrl"]
        backend = moto_internals.backend("sqs")
        for index in range(queued):
            backend.send_message("bench", f"m{index}")
        started = time.perf_counter()
        for index in range(calls):
            sqs.send_message(QueueUrl=url, MessageBody=f"s{index}")
        send = (time.perf_counter() - started) * 1000 / calls
        started = time.perf_counter()
        for _ in range(calls):
            (message,) = sqs.receive_message(QueueUrl=url)["Messages"]
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return send, (time.perf_counter() - started) * 1000 / calls


def _restore_moto_queue(saved: dict, saved_backend: dict) -> None:
    import importlib

    import moto.sqs.models as models

    fresh = importlib.reload(models)  # moto's own classes, list-backed
    models.Queue, models.SQSBackend = fresh.Queue, fresh.SQSBackend


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--queued", type=int, nargs="*", default=[10_000, 100_000])
    args = parser.parse_args(argv)
    off = writes_per_second(None, False, args.writes)
    with tempfile.TemporaryDirectory() as journal, tempfile.TemporaryDirectory() as synced:
        on = writes_per_second(Path(journal), False, args.writes)
        fsynced = writes_per_second(Path(synced), True, args.writes)
    print(
        f"writes/s ({args.writes} PutParameter): durability off {off:.0f}; journal "
        f"{on:.0f} (x{on / off:.2f}); journal+fsync {fsynced:.0f} (x{fsynced / off:.2f})"
    )
    replay, from_snapshot = restart_seconds(args.resources)
    print(f"restart with {args.resources} parameters: journal replay {replay:.1f} s; "
          f"from a snapshot {from_snapshot:.1f} s")  # fmt: skip
    for queued in args.queued:
        send, receive = sqs_call_ms(queued, indexed=True)
        print(f"SQS with {queued} queued: send {send:.2f} ms, receive+delete {receive:.2f} ms")
    moto_send, moto_receive = sqs_call_ms(args.queued[0], indexed=False, calls=20)
    print(f"baseline moto queue with {args.queued[0]} queued: send {moto_send:.2f} ms, "
          f"receive+delete {moto_receive:.2f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
