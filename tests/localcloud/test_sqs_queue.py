"""SQS on the indexed queue keeps SQS's behaviour: counts, visibility, deletes, FIFO groups,
dead letters, long polls."""

from __future__ import annotations

import json
import threading
import time

import boto3
import pytest


@pytest.fixture
def sqs(fresh_local_cloud):
    return boto3.client("sqs")


def counts(sqs, url: str) -> tuple[int, int, int]:
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return tuple(int(attributes[name]) for name in names)


def test_counts_follow_sends_receives_deletes_and_delays(sqs):
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    for index in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=str(index))
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=600)
    assert counts(sqs, url) == (5, 0, 1)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=600)
    assert [m["Body"] for m in received["Messages"]] == ["0", "1"]
    assert counts(sqs, url) == (3, 2, 1)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=received["Messages"][0]["ReceiptHandle"])
    sqs.delete_message(QueueUrl=url, ReceiptHandle=received["Messages"][0]["ReceiptHandle"])
    assert counts(sqs, url) == (3, 1, 1)
    sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=received["Messages"][1]["ReceiptHandle"], VisibilityTimeout=0
    )
    assert counts(sqs, url) == (4, 0, 1)
    bodies = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in bodies] == ["1", "2", "3", "4"]


def test_an_unknown_receipt_handle_is_refused(sqs, aws_error):
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    code = aws_error(lambda: sqs.delete_message(QueueUrl=url, ReceiptHandle="nope"))
    assert code["Error"]["Code"] == "ReceiptHandleIsInvalid"


def test_a_fifo_group_waits_while_it_has_a_message_in_flight(sqs):
    url = sqs.create_queue(
        QueueName="q.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    for body, group in (("a1", "a"), ("a2", "a"), ("b1", "b"), ("a1", "a")):  # last: duplicate
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
    assert [m["Body"] for m in first] == ["a1"]
    rest = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in rest] == ["b1"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    after = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in after] == ["a2"]


def test_a_message_received_too_often_moves_to_the_dead_letter_queue(sqs):
    dead = sqs.create_queue(QueueName="dead")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])
    policy = {"deadLetterTargetArn": dead_arn["Attributes"]["QueueArn"], "maxReceiveCount": 1}
    url = sqs.create_queue(QueueName="q", Attributes={"RedrivePolicy": json.dumps(policy)})[
        "QueueUrl"
    ]
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=dead)["Messages"]] == ["poison"]


def test_a_long_poll_returns_as_soon_as_a_message_arrives(sqs):
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    timer = threading.Timer(
        0.5, lambda: boto3.client("sqs").send_message(QueueUrl=url, MessageBody="x")
    )
    timer.start()
    started = time.monotonic()
    received = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)["Messages"]
    assert [m["Body"] for m in received] == ["x"]
    assert time.monotonic() - started < 5
