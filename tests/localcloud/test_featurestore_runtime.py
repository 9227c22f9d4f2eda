"""SageMaker Feature Store runtime on the local cloud: the online store's documented behaviour."""

from __future__ import annotations

import threading

import boto3
import pytest

ROLE = "arn:aws:iam::123456789012:role/feature-store"


def _feature_group(name: str, *, online: bool = True, event_time_type: str = "Fractional") -> None:
    boto3.client("sagemaker").create_feature_group(
        FeatureGroupName=name,
        RecordIdentifierFeatureName="customer_id",
        EventTimeFeatureName="event_time",
        FeatureDefinitions=[
            {"FeatureName": "customer_id", "FeatureType": "String"},
            {"FeatureName": "event_time", "FeatureType": event_time_type},
            {"FeatureName": "orders", "FeatureType": "Integral"},
            {"FeatureName": "spend", "FeatureType": "Fractional"},
        ],
        OnlineStoreConfig={"EnableOnlineStore": online},
        RoleArn=ROLE,
    )


def _record(customer: str, event_time: str, orders: str = "1", spend: str = "9.5") -> list:
    return [
        {"FeatureName": "customer_id", "ValueAsString": customer},
        {"FeatureName": "event_time", "ValueAsString": event_time},
        {"FeatureName": "orders", "ValueAsString": orders},
        {"FeatureName": "spend", "ValueAsString": spend},
    ]


def _values(response: dict) -> dict[str, str]:
    return {value["FeatureName"]: value["ValueAsString"] for value in response["Record"]}


@pytest.fixture
def runtime(fresh_local_cloud):
    _feature_group("customers")
    return boto3.client("sagemaker-featurestore-runtime")


def test_a_put_record_is_read_back_by_record_id(runtime):
    runtime.put_record(FeatureGroupName="customers", Record=_record("c1", "100", orders="3"))
    got = runtime.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="c1")
    assert _values(got) == {"customer_id": "c1", "event_time": "100", "orders": "3", "spend": "9.5"}


def test_the_newest_event_time_wins_and_an_older_put_does_not_overwrite(runtime):
    runtime.put_record(FeatureGroupName="customers", Record=_record("c1", "200", orders="2"))
    runtime.put_record(FeatureGroupName="customers", Record=_record("c1", "100", orders="1"))
    got = runtime.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="c1")
    assert _values(got)["orders"] == "2"
    runtime.put_record(FeatureGroupName="customers", Record=_record("c1", "300", orders="3"))
    got = runtime.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="c1")
    assert _values(got)["orders"] == "3"


def test_a_put_with_the_same_event_time_overwrites(runtime):
    """AWS overwrites a record on an equal or newer EventTime."""
    runtime.put_record(FeatureGroupName="customers", Record=_record("c1", "200", orders="2"))
    runtime.put_record(FeatureGroupName="customers", Record=_record("c1", "200", orders="5"))
    got = runtime.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="c1")
    assert _values(got)["orders"] == "5"


def test_iso_string_event_times_are_compared_as_times(fresh_local_cloud):
    _feature_group("iso-times", event_time_type="String")
    runtime = boto3.client("sagemaker-featurestore-runtime")
    newer, older = "2026-01-02T00:00:00Z", "2026-01-01T23:59:59.999Z"
    runtime.put_record(FeatureGroupName="iso-times", Record=_record("c1", newer, orders="2"))
    runtime.put_record(FeatureGroupName="iso-times", Record=_record("c1", older, orders="1"))
    got = runtime.get_record(FeatureGroupName="iso-times", RecordIdentifierValueAsString="c1")
    assert _values(got)["orders"] == "2"


def test_get_record_returns_only_the_named_features(runtime):
    runtime.put_record(FeatureGroupName="customers", Record=_record("c1", "100"))
    got = runtime.get_record(
        FeatureGroupName="customers", RecordIdentifierValueAsString="c1", FeatureNames=["spend"]
    )
    assert got["Record"] == [{"FeatureName": "spend", "ValueAsString": "9.5"}]


def test_an_unknown_record_id_gives_an_empty_response(runtime):
    got = runtime.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="nobody")
    assert "Record" not in got


def test_the_feature_group_can_be_named_by_arn(runtime):
    arn = boto3.client("sagemaker").describe_feature_group(FeatureGroupName="customers")[
        "FeatureGroupArn"
    ]
    runtime.put_record(FeatureGroupName=arn, Record=_record("c1", "100"))
    got = runtime.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="c1")
    assert _values(got)["customer_id"] == "c1"


def test_an_unknown_feature_group_is_resource_not_found(runtime, aws_error):
    response = aws_error(
        lambda: runtime.get_record(FeatureGroupName="missing", RecordIdentifierValueAsString="c1")
    )
    assert response["Error"]["Code"] == "ResourceNotFound"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "missing" in response["Error"]["Message"]


def test_a_feature_group_without_an_online_store_refuses_records(fresh_local_cloud, aws_error):
    _feature_group("offline-only", online=False)
    runtime = boto3.client("sagemaker-featurestore-runtime")
    response = aws_error(
        lambda: runtime.put_record(FeatureGroupName="offline-only", Record=_record("c1", "1"))
    )
    assert response["Error"]["Code"] == "ValidationError"
    assert "does not have an OnlineStore" in response["Error"]["Message"]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (_record("c1", "1") + [{"FeatureName": "age", "ValueAsString": "3"}], "Feature age is not"),
        (_record("c1", "1")[1:], "missing customer_id, the record identifier"),
        (_record("c1", "1")[:1] + _record("c1", "1")[2:], "missing event_time, the event time"),
        (_record("c1", "1", orders="many"), "'many' of feature orders is not a valid Integral"),
        (_record("c1", "yesterday"), "'yesterday' of feature event_time is not a valid Fractional"),
        (_record("c1", "1") + _record("c1", "2")[3:], "Feature spend appears more than once"),
    ],
)
def test_a_bad_record_is_a_validation_error_that_names_the_problem(
    runtime, record, message, aws_error
):
    response = aws_error(lambda: runtime.put_record(FeatureGroupName="customers", Record=record))
    assert response["Error"]["Code"] == "ValidationError"
    assert message in response["Error"]["Message"]


def test_a_soft_delete_hides_the_record_and_keeps_older_puts_out(runtime):
    runtime.put_record(FeatureGroupName="customers", Record=_record("c1", "100"))
    runtime.delete_record(
        FeatureGroupName="customers", RecordIdentifierValueAsString="c1", EventTime="200"
    )
    assert "Record" not in runtime.get_record(
        FeatureGroupName="customers", RecordIdentifierValueAsString="c1"
    )
    runtime.put_record(FeatureGroupName="customers", Record=_record("c1", "150"))
    assert "Record" not in runtime.get_record(
        FeatureGroupName="customers", RecordIdentifierValueAsString="c1"
    )


def test_a_hard_delete_forgets_the_record(runtime):
    runtime.put_record(FeatureGroupName="customers", Record=_record("c1", "100"))
    runtime.delete_record(
        FeatureGroupName="customers",
        RecordIdentifierValueAsString="c1",
        EventTime="200",
        DeletionMode="HardDelete",
    )
    runtime.put_record(FeatureGroupName="customers", Record=_record("c1", "150", orders="7"))
    got = runtime.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="c1")
    assert _values(got)["orders"] == "7"


def test_a_delete_older_than_the_record_does_not_take_effect(runtime):
    runtime.put_record(FeatureGroupName="customers", Record=_record("c1", "100"))
    runtime.delete_record(
        FeatureGroupName="customers", RecordIdentifierValueAsString="c1", EventTime="50"
    )
    got = runtime.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="c1")
    assert _values(got)["customer_id"] == "c1"


def test_batch_get_returns_found_records_and_errors_for_unknown_groups(runtime):
    runtime.put_record(FeatureGroupName="customers", Record=_record("c1", "100"))
    runtime.put_record(FeatureGroupName="customers", Record=_record("c2", "100", orders="5"))
    got = runtime.batch_get_record(
        Identifiers=[
            {
                "FeatureGroupName": "customers",
                "RecordIdentifiersValueAsString": ["c1", "c2", "nobody"],
                "FeatureNames": ["orders"],
            },
            {"FeatureGroupName": "missing", "RecordIdentifiersValueAsString": ["c1"]},
        ]
    )
    found = {r["RecordIdentifierValueAsString"]: r["Record"] for r in got["Records"]}
    assert found == {
        "c1": [{"FeatureName": "orders", "ValueAsString": "1"}],
        "c2": [{"FeatureName": "orders", "ValueAsString": "5"}],
    }
    assert [(e["FeatureGroupName"], e["ErrorCode"]) for e in got["Errors"]] == [
        ("missing", "ResourceNotFound")
    ]
    assert got["UnprocessedIdentifiers"] == []


def test_describe_feature_group_shows_the_online_store_and_no_offline_store(runtime):
    described = boto3.client("sagemaker").describe_feature_group(FeatureGroupName="customers")
    assert described["OnlineStoreConfig"] == {"EnableOnlineStore": True}
    assert "OfflineStoreConfig" not in described


def test_a_delete_with_an_unparsable_event_time_says_what_format_to_use(runtime, aws_error):
    response = aws_error(
        lambda: runtime.delete_record(
            FeatureGroupName="customers", RecordIdentifierValueAsString="c1", EventTime="soon"
        )
    )
    assert response["Error"]["Code"] == "ValidationError"
    assert (
        "EventTime 'soon' is invalid: use seconds since the epoch" in response["Error"]["Message"]
    )


def test_a_hard_delete_not_later_than_the_record_fails_and_keeps_it(runtime, aws_error):
    runtime.put_record(FeatureGroupName="customers", Record=_record("c1", "100"))
    response = aws_error(
        lambda: runtime.delete_record(
            FeatureGroupName="customers",
            RecordIdentifierValueAsString="c1",
            EventTime="100",
            DeletionMode="HardDelete",
        )
    )
    assert response["Error"]["Code"] == "ValidationError"
    assert "EventTime '100' of the HardDelete is invalid" in response["Error"]["Message"]
    got = runtime.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="c1")
    assert _values(got)["customer_id"] == "c1"


@pytest.mark.parametrize(
    "event_time",
    ["2026-01-02", "2026-01-02T00:00:00", "2026-01-02T00:00:00+05:00", "2026-13-02T00:00:00Z"],
)
def test_a_string_event_time_outside_the_two_documented_formats_is_refused(
    fresh_local_cloud, aws_error, event_time
):
    _feature_group("iso-strict", event_time_type="String")
    runtime = boto3.client("sagemaker-featurestore-runtime")
    response = aws_error(
        lambda: runtime.put_record(FeatureGroupName="iso-strict", Record=_record("c1", event_time))
    )
    assert response["Error"]["Code"] == "ValidationError"
    assert f"EventTime '{event_time}' is invalid" in response["Error"]["Message"]


def test_concurrent_puts_of_one_record_keep_the_newest_event_time(runtime):
    """The older put reads the stored record, the newer put is written meanwhile, then the older
    put writes: without a lock around compare-and-write the older record would win."""
    from sagestack.localcloud.services.featurestore_runtime import models

    runtime.put_record(FeatureGroupName="customers", Record=_record("c1", "100"))
    backend = models.featurestore_runtime_backends["123456789012"]["us-east-1"]
    newer_written, first_read = threading.Event(), threading.Event()

    class InterleavingRecords(dict):
        def get(self, key, default=None):
            stored = super().get(key, default)
            if not first_read.is_set():  # the older put's read (served on a server thread)
                first_read.set()
                newer_written.wait(timeout=0.3)  # with the lock, the newer put cannot get here
            return stored

        def __setitem__(self, key, value):
            super().__setitem__(key, value)
            if value.event_time == 300:
                newer_written.set()

    (identity,) = backend.online_store
    backend.online_store[identity] = InterleavingRecords(backend.online_store[identity])

    def put(event_time: str, orders: str) -> None:
        runtime.put_record(
            FeatureGroupName="customers", Record=_record("c1", event_time, orders=orders)
        )

    older = threading.Thread(target=put, args=("200", "2"))
    older.start()
    assert first_read.wait(timeout=5)  # the older put is inside its compare-and-write
    put("300", "3")
    older.join()
    got = runtime.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="c1")
    assert _values(got)["orders"] == "3"
