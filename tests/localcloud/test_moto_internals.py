"""The seams into moto: wrapping backend operations, reaching backends."""

from __future__ import annotations

import pytest

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.moto import registry as moto_registry
from sagestack.localcloud.moto import responses as moto_responses


@pytest.fixture
def restore_put_parameter():
    from moto.ssm.models import SimpleSystemManagerBackend

    original = SimpleSystemManagerBackend.put_parameter
    yield
    SimpleSystemManagerBackend.put_parameter = original


def test_wrappers_stack_in_registration_order_and_register_once(restore_put_parameter):
    calls = []

    def outer(original, backend, *args, **kwargs):
        calls.append("outer")
        return original(*args, **kwargs)

    def inner(original, backend, *args, **kwargs):
        calls.append(f"inner:{kwargs['name']}")
        return original(*args, **kwargs)

    moto_internals.wrap_backend_operation("ssm", "put_parameter", outer)
    moto_internals.wrap_backend_operation("ssm", "put_parameter", inner)
    moto_internals.wrap_backend_operation("ssm", "put_parameter", outer)  # again: no-op

    ssm = moto_internals.backend("ssm", region="eu-west-1")
    ssm.put_parameter(
        name="/wrapped",
        description="",
        value="v",
        parameter_type="String",
        allowed_pattern="",
        keyid=None,
        overwrite=False,
        tags=[],
        data_type="text",
        tier=None,
        policies=None,
    )
    assert calls == ["outer", "inner:/wrapped"]
    assert ssm.get_parameter("/wrapped").value == "v"
    moto_internals.reset_state()


def test_extending_with_a_class_that_is_not_a_subclass_of_motos_is_refused():
    class Unrelated(moto_internals.BaseResponse):
        pass

    with pytest.raises(TypeError, match="must subclass moto's SageMakerResponse"):
        moto_internals.extend_service("sagemaker", Unrelated)


def test_extensions_of_one_service_are_combined_the_last_registered_first(monkeypatch):
    moto_class = moto_internals.moto_responses_class("codebuild")

    class First(moto_class):
        def list_reports(self):
            return "first"

        def list_report_groups(self):
            return "first"

    class Second(moto_class):
        def list_reports(self):
            return "second"

    monkeypatch.setitem(moto_responses.EXTENSIONS, "codebuild", [])
    moto_internals.extend_service("codebuild", First)
    moto_internals.extend_service("codebuild", Second)
    moto_internals.extend_service("codebuild", First)  # again: no-op
    served = moto_internals.served_responses_class("codebuild")()
    assert served.list_reports() == "second"
    assert served.list_report_groups() == "first"
    assert isinstance(served, moto_class)


@pytest.fixture
def restore_queue_add_message():
    from moto.sqs.models import Queue

    original = Queue.add_message
    yield
    Queue.add_message = original


def test_a_model_method_wrapper_sees_every_instance(restore_queue_add_message, fresh_local_cloud):
    import boto3

    seen = []

    def record(original, queue, message):
        seen.append((queue.name, message.body))
        return original(message)

    moto_internals.wrap_model_method("sqs", "Queue", "add_message", record)
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="wrapped")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    assert seen == [("wrapped", "hello")]
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "hello"


def test_a_registered_route_serves_its_path_prefix(monkeypatch, local_cloud):
    import urllib.request

    if not local_cloud.is_sagestack:
        pytest.skip("routes are sagestack's")

    def hello(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["PATH_INFO"].encode()]

    monkeypatch.setitem(moto_registry.ROUTES, "/_sagestack/test/", hello)
    with urllib.request.urlopen(f"{local_cloud.url}/_sagestack/test/abc", timeout=10) as reply:
        assert reply.read() == b"/_sagestack/test/abc"
