"""How an endpoint routes requests between fleets during a deployment, never stopping a fleet
under a request, and how a transform job cuts its input into requests and assembles answers."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from sagestack.localcloud.executors.endpoints import transform
from sagestack.localcloud.executors.endpoints.fleet import EndpointRef, Fleet, FleetPlan
from sagestack.localcloud.executors.endpoints.instance import Answer
from sagestack.localcloud.executors.endpoints.registry import LiveEndpoint

REF = EndpointRef("123456789012", "us-east-1", "e1", "arn:aws:sagemaker:us-east-1:1:endpoint/e1")


def _fleet(name: str, variants: dict) -> Fleet:
    fleet = Fleet(FleetPlan(name, (), None), REF)  # no variant: no server, no folder
    fleet.variants = variants
    return fleet


def test_routing_counts_the_request_in_flight_on_the_fleet_it_chose():
    blue = _fleet("blue", {"AllTraffic": SimpleNamespace(name="AllTraffic", weight=1.0)})
    live = LiveEndpoint(REF, blue=blue)

    fleet, variant = live.route(None)

    assert (fleet, variant.name) == (blue, "AllTraffic")
    assert blue._in_flight == 1


def test_a_draining_fleet_stops_only_after_its_requests_are_done():
    fleet = _fleet("blue", {})
    fleet.enter()
    stopped = threading.Event()
    drainer = threading.Thread(target=lambda: (fleet.drain_and_stop(), stopped.set()))
    drainer.start()

    time.sleep(0.3)
    still_serving = not stopped.is_set()
    fleet.leave()
    drainer.join(timeout=5)

    assert still_serving and stopped.is_set()


def test_the_green_share_of_requests_goes_to_the_new_fleet():
    variant = {"AllTraffic": SimpleNamespace(name="AllTraffic", weight=1.0)}
    blue, green = _fleet("blue", dict(variant)), _fleet("green", dict(variant))
    live = LiveEndpoint(REF, blue=blue, green=green, green_share=0.25)

    chosen = [live.route(None)[0].config_name for _ in range(2000)]

    assert chosen.count("green") / len(chosen) == pytest.approx(0.25, abs=0.05)
    live.shift(0.0)
    assert {live.route(None)[0].config_name for _ in range(50)} == {"blue"}


class _Instance:
    def __init__(self, answer):
        self.answer, self.bodies = answer, []

    def forward(self, path, body, headers, timeout):
        self.bodies.append(body)
        return Answer(200, {}, self.answer(body))


def _job(**changes):
    job = SimpleNamespace(
        transform_input={
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in"}},
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        transform_output={"S3OutputPath": "s3://b/out", "AssembleWith": "Line"},
        data_processing=None,
        batch_strategy="SingleRecord",
        max_payload_in_mb=6,
    )
    for key, value in changes.items():
        setattr(job, key, value)
    return job


def _transform(job, body: bytes, answer) -> tuple[bytes, list[bytes]]:
    instance = _Instance(answer)
    variant = SimpleNamespace(pick=lambda: instance)
    output = b"".join(transform._transform_object(job, variant, transform._Settings(job), body))
    return output, instance.bodies


def test_single_records_are_one_request_each_and_answers_are_assembled_one_per_line():
    output, requests = _transform(_job(), b"1,2\n3,4\n", lambda body: b"[" + body[:1] + b"]")

    assert requests == [b"1,2", b"3,4"]
    assert output == b"[1]\n[3]\n"


def test_multi_record_batches_fill_the_payload_limit():
    job = _job(batch_strategy="MultiRecord", max_payload_in_mb=8 / (1024 * 1024))

    _, requests = _transform(job, b"1,2\n3,4\n5,6\n", lambda body: b"0\n" * (body.count(b"\n") + 1))

    assert requests == [b"1,2\n3,4", b"5,6"]  # 8 bytes at most, newlines counted


def test_join_source_input_appends_each_output_to_its_record():
    job = _job(data_processing={"JoinSource": "Input"})

    output, _ = _transform(job, b'1,2\n{"a": 3}\n', lambda body: b"0.5")

    assert output == b'1,2,0.5\n{"a": 3, "SageMakerOutput": 0.5}\n'
