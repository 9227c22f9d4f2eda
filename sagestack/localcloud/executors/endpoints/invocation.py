"""InvokeEndpoint's path: route to a variant, call its model server, measure, capture.

The request goes to a variant by weight (or by ``TargetVariant``) and to one of its instances in
service; the server's answer is returned as it is when 2xx, and as :class:`ModelFailed` (the
runtime's ModelError) otherwise. Every answered request is counted in the endpoint's metrics;
2xx ones are captured when the endpoint config captures data.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sagestack.localcloud import clock
from sagestack.localcloud.executors.endpoints import registry
from sagestack.localcloud.executors.endpoints.capture import Exchange
from sagestack.localcloud.executors.endpoints.instance import InstanceUnavailable
from sagestack.localcloud.executors.endpoints.metrics import PUBLISHER, Observation
from sagestack.localcloud.executors.endpoints.variant import NoInstanceInService, Variant

INVOCATION_TIMEOUT_SECONDS = 60.0
CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes"
INFERENCE_ID = "X-Amzn-SageMaker-Inference-Id"
TIMEOUT_MESSAGE = (
    "Your invocation timed out while waiting for a response from container primary. Review the "
    "latency metrics for each container in Amazon CloudWatch, resolve the issue, and try again."
)


@dataclass(frozen=True)
class InvocationRequest:
    account_id: str
    region: str
    endpoint: str
    body: bytes
    content_type: str | None = None
    accept: str | None = None
    custom_attributes: str | None = None
    target_variant: str | None = None
    inference_id: str | None = None
    arrived: float | None = None  # time.perf_counter() when the runtime API received it


@dataclass(frozen=True)
class InvocationResult:
    body: bytes
    content_type: str
    variant: str
    custom_attributes: str | None


class EndpointNotFound(Exception):
    pass


class VariantNotFound(Exception):
    pass


class NoCapacity(Exception):
    pass


class ModelFailed(Exception):
    """The model answered non-2xx (``status`` 0: it did not answer in time; ``complete`` False:
    the connection broke before its answer was read)."""

    def __init__(self, status: int, body: str, log_stream: str | None, complete: bool = True):
        super().__init__(f"model answered {status}")
        self.status, self.body, self.log_stream, self.complete = status, body, log_stream, complete


@dataclass(frozen=True)
class _Called:
    instance_id: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    seconds: float
    complete: bool = True


def invoke(request: InvocationRequest) -> InvocationResult:
    arrived = request.arrived if request.arrived is not None else time.perf_counter()
    live = registry.get(request.account_id, request.region, request.endpoint)
    routed = live.route(request.target_variant) if live is not None else None
    if routed is None:
        if live is not None and live.blue is not None and request.target_variant:
            raise VariantNotFound(request.target_variant)
        raise EndpointNotFound(request.endpoint)
    fleet, variant = routed
    try:
        called = _call_model(variant, request)
    finally:
        fleet.leave()
    at = clock.current().now()
    content_type = called.headers.get("Content-Type", "application/octet-stream")
    succeeded = 200 <= called.status < 300
    if succeeded and variant.capture is not None:
        exchange = Exchange(
            request.body,
            request.content_type or "",
            called.body,
            content_type,
            request.inference_id,
            at,
        )
        variant.capture.record(exchange)
    _observe(request, variant, called, arrived, at)
    if not succeeded:
        text = TIMEOUT_MESSAGE if called.status == 0 else called.body.decode("utf-8", "replace")
        stream = f"{variant.name}/{called.instance_id}"
        raise ModelFailed(called.status, text, stream, called.complete)
    return InvocationResult(
        called.body, content_type, variant.name, called.headers.get(CUSTOM_ATTRIBUTES)
    )


def _call_model(variant: Variant, request: InvocationRequest) -> _Called:
    headers = {"Content-Type": request.content_type or "application/octet-stream"}
    if request.accept:
        headers["Accept"] = request.accept
    if request.custom_attributes:
        headers[CUSTOM_ATTRIBUTES] = request.custom_attributes
    if request.inference_id:
        headers[INFERENCE_ID] = request.inference_id
    for attempt in range(2):  # a server that died under the request: once more, on another
        try:
            instance = variant.pick()
        except NoInstanceInService as error:
            raise NoCapacity(str(error)) from error
        sent = time.perf_counter()
        try:
            answer = instance.forward(
                "/invocations", request.body, headers, INVOCATION_TIMEOUT_SECONDS
            )
        except TimeoutError:
            return _Called(instance.instance_id, 0, {}, b"", time.perf_counter() - sent)
        except InstanceUnavailable:
            if attempt == 0:
                continue
            return _Called(instance.instance_id, 500, {}, b"", time.perf_counter() - sent, False)
        seconds = time.perf_counter() - sent
        return _Called(instance.instance_id, answer.status, answer.headers, answer.body, seconds)
    raise AssertionError("unreachable: the second attempt always returns")


def _observe(
    request: InvocationRequest,
    variant: Variant,
    called: _Called,
    arrived: float,
    at: datetime,
) -> None:
    total_us = (time.perf_counter() - arrived) * 1e6
    model_us = called.seconds * 1e6
    PUBLISHER.record(
        Observation(
            account_id=request.account_id,
            region=request.region,
            endpoint=request.endpoint,
            variant=variant.name,
            instances=max(variant.current_count, 1),
            status=called.status or 504,  # a timeout counts as a server error
            model_latency_us=model_us,
            overhead_latency_us=max(total_us - model_us, 0.0),
            at=at,
        )
    )
