"""The in-process runner: mocks injectable, order and wiring kept, repeatable in one process."""

import gc

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime import mocks as pulumi_mocks

from sagestack_infra import collector
from sagestack_infra.program_runner import DefaultMocks, read_stack_file, run_program


def _bucket_with_key() -> None:
    parent = pulumi.ComponentResource("sagestack:test:Thing", "thing")
    key = aws.kms.Key(
        "thing-key", deletion_window_in_days=7, opts=pulumi.ResourceOptions(parent=parent)
    )
    bucket = aws.s3.Bucket(
        "thing-bucket",
        bucket="thing-bucket",
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[key]),
    )
    parent.register_outputs({})
    pulumi.export("bucket", bucket.bucket)
    pulumi.export("key_arn", key.arn)
    pulumi.export("size", pulumi.Config("sagestack").require_int("size"))


def test_runner_returns_resources_in_registration_order_with_parent_and_deps():
    run = run_program("dev", {"size": 3}, program=_bucket_with_key)

    assert [r.name for r in run.resources] == ["thing", "thing-key", "thing-bucket"]
    component, key, bucket = run.resources
    assert component.custom is False
    assert key.parent == component.urn and bucket.parent == component.urn
    assert bucket.deps == (key.urn,)
    assert key.inputs == {"deletionWindowInDays": 7.0}  # engine form: camelCase, floats


def test_runner_resolves_stack_outputs_and_config():
    run = run_program("dev", {"size": 3}, program=_bucket_with_key)

    assert run.outputs == {
        "bucket": "thing-bucket",
        "key_arn": "arn:aws:kms:us-east-1:123456789012:key/thing-key",
        "size": 3,
    }


def test_runner_marks_secret_keys_secret():
    seen = {}

    def program():
        seen["secret"] = pulumi.runtime.is_config_secret("sagestack:token")

    run_program("dev", {"token": "t"}, secret_keys=["token"], program=program)
    assert seen == {"secret": True}


def test_injected_mocks_decide_ids_and_outputs():
    class RealArns(DefaultMocks):
        def new_resource(self, args: pulumi_mocks.MockResourceArgs):
            if args.typ == "aws:kms/key:Key":
                return "real-key-id", {"arn": "arn:aws:kms:eu-west-1:111111111111:key/real"}
            return super().new_resource(args)

    run = run_program("dev", {"size": 1}, program=_bucket_with_key, mocks=RealArns())
    assert run.outputs["key_arn"] == "arn:aws:kms:eu-west-1:111111111111:key/real"


def test_a_failed_run_leaves_the_next_run_clean():
    def failing():
        aws.kms.Key("left-behind")
        raise ValueError("program failed")

    with pytest.raises(ValueError, match="program failed"):
        run_program("dev", {}, program=failing)
    run = run_program("other", {"size": 1}, program=_bucket_with_key)

    assert "left-behind" not in [r.name for r in run.resources]
    assert all(r.urn.startswith("urn:pulumi:other::sagestack::") for r in run.resources)


def test_secret_inputs_are_unwrapped_and_named():
    def program():
        aws.sns.TopicSubscription(
            "page",
            topic="arn:aws:sns:us-east-1:123456789012:t",
            protocol="https",
            endpoint=pulumi.Output.secret("https://example.com/hook"),
        )

    [subscription] = run_program("dev", {}, program=program).resources
    assert subscription.inputs["endpoint"] == "https://example.com/hook"
    assert subscription.secret_inputs == {"endpoint"}


def test_stack_file_with_a_secure_value_is_refused_naming_the_key(tmp_path):
    stack_file = tmp_path / "Pulumi.x.yaml"
    stack_file.write_text(
        "config:\n  aws:region: us-east-1\n  sagestack:oncall:\n"
        "    pagerdutyUrl:\n      secure: v1:abc\n"
    )
    with pytest.raises(ValueError, match=r"sagestack:oncall\.pagerdutyUrl is a secure: value"):
        read_stack_file(stack_file)


def test_stack_file_keys_lose_only_the_sagestack_prefix(tmp_path):
    stack_file = tmp_path / "Pulumi.x.yaml"
    stack_file.write_text("config:\n  aws:region: eu-west-1\n  sagestack:namePrefix: demo\n")
    assert read_stack_file(stack_file) == {"aws:region": "eu-west-1", "namePrefix": "demo"}


def test_a_run_tunes_the_garbage_collector_and_leaves_it_as_it_was():
    seen = []
    before = gc.get_threshold()
    run_program("dev", {}, program=lambda: seen.append(gc.get_threshold()))
    assert seen == [collector.THRESHOLDS]
    assert gc.get_threshold() == before
