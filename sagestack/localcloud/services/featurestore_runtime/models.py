"""The online store of SageMaker Feature Store: the newest record per feature group and record id.

AWS's rules kept here: a PutRecord whose event time is older than the stored record's does not
overwrite it; DeleteRecord takes effect only with an event time later than the stored record's;
a soft delete leaves a marker that keeps older puts out, a hard delete forgets the record (and
fails with ValidationError when its event time is not later). The
feature group (and whether its online store is enabled) comes from moto's SageMaker backend.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.services.exceptions import ResourceNotFound, ValidationError

Record = list[dict[str, Any]]  # [{"FeatureName": ..., "ValueAsString": ...}, ...]

# the two String event time formats the CreateFeatureGroup API documents, always in UTC
_ISO_EVENT_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z")


@dataclass
class StoredRecord:
    event_time: float
    record: Record | None  # None: soft-deleted at event_time


@dataclass(frozen=True)
class FeatureGroupView:
    """What the runtime needs to know about a feature group."""

    name: str
    identity: str  # name and creation time: a group deleted and created again starts empty
    record_identifier: str
    event_time_feature: str
    feature_types: dict[str, str]  # name -> Integral | Fractional | String
    online_store_enabled: bool


class FeatureStoreRuntimeBackend(moto_internals.BaseBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        # feature group identity -> record identifier value -> newest record
        self.online_store: dict[str, dict[str, StoredRecord]] = {}
        # the server is threaded: compare-and-write of one record must not interleave
        self._lock = threading.Lock()

    def put_record(self, feature_group_name: str, record: Record) -> None:
        group = self._online_group(feature_group_name)
        values = _validated_values(group, record)
        record_id = values[group.record_identifier]
        event_time = _event_time(group, values[group.event_time_feature])
        with self._lock:
            records = self.online_store.setdefault(group.identity, {})
            stored = records.get(record_id)
            if stored is None or event_time >= stored.event_time:
                records[record_id] = StoredRecord(event_time, [dict(value) for value in record])

    def get_record(
        self, feature_group_name: str, record_id: str, feature_names: list[str] | None
    ) -> Record | None:
        group = self._online_group(feature_group_name)
        _check_feature_names(group, feature_names)
        stored = self.online_store.get(group.identity, {}).get(record_id)
        if stored is None or stored.record is None:
            return None
        if not feature_names:
            return stored.record
        return [value for value in stored.record if value["FeatureName"] in feature_names]

    def delete_record(
        self, feature_group_name: str, record_id: str, event_time: str, deletion_mode: str
    ) -> None:
        group = self._online_group(feature_group_name)
        deleted_at = _event_time(group, event_time)
        with self._lock:
            records = self.online_store.setdefault(group.identity, {})
            stored = records.get(record_id)
            if stored is not None and deleted_at <= stored.event_time:
                # AWS: a soft delete then keeps the record; a hard delete fails with a 400
                if deletion_mode == "HardDelete":
                    raise ValidationError(
                        f"EventTime '{event_time}' of the HardDelete is invalid: it must be later "
                        f"than the EventTime of record {record_id} in FeatureGroup {group.name}"
                    )
                return
            if deletion_mode == "HardDelete":
                records.pop(record_id, None)
            else:
                records[record_id] = StoredRecord(deleted_at, None)

    def batch_get_record(self, identifiers: list[dict[str, Any]]) -> dict[str, list]:
        found: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for identifier in identifiers:
            name = identifier["FeatureGroupName"]
            for record_id in identifier["RecordIdentifiersValueAsString"]:
                try:
                    record = self.get_record(name, record_id, identifier.get("FeatureNames"))
                except (ResourceNotFound, ValidationError) as error:
                    errors.append(_batch_error(name, record_id, error))
                    continue
                if record is not None:
                    found.append(
                        {
                            "FeatureGroupName": name,
                            "RecordIdentifierValueAsString": record_id,
                            "Record": record,
                        }
                    )
        return {"Records": found, "Errors": errors, "UnprocessedIdentifiers": []}

    def _online_group(self, name_or_arn: str) -> FeatureGroupView:
        group = feature_group(self.account_id, self.region_name, name_or_arn)
        if not group.online_store_enabled:
            raise ValidationError(
                f"The FeatureGroup {group.name} does not have an OnlineStore; create it with "
                "OnlineStoreConfig EnableOnlineStore=true to put and get records"
            )
        return group


def feature_group(account_id: str, region: str, name_or_arn: str) -> FeatureGroupView:
    """The feature group from moto's SageMaker backend, by name or ARN."""
    group = moto_internals.find_feature_group(account_id, region, name_or_arn)
    if group is not None:
        online = getattr(group, "online_store_config", None) or {}
        return FeatureGroupView(
            name=group.feature_group_name,
            identity=f"{group.feature_group_name}@{group.creation_time.isoformat()}",
            record_identifier=group.record_identifier_feature_name,
            event_time_feature=group.event_time_feature_name,
            feature_types={d["FeatureName"]: d["FeatureType"] for d in group.feature_definitions},
            online_store_enabled=bool(online.get("EnableOnlineStore")),
        )
    raise ResourceNotFound(f"Resource Not Found: FeatureGroup {name_or_arn} does not exist")


def _validated_values(group: FeatureGroupView, record: Record) -> dict[str, str]:
    values: dict[str, str] = {}
    for value in record:
        name = value["FeatureName"]
        if name not in group.feature_types:
            raise ValidationError(
                f"Feature {name} is not defined in FeatureGroup {group.name}; defined features: "
                f"{', '.join(sorted(group.feature_types))}"
            )
        if name in values:
            raise ValidationError(f"Feature {name} appears more than once in the record")
        if "ValueAsString" in value:
            _check_type(name, value["ValueAsString"], group.feature_types[name])
            values[name] = value["ValueAsString"]
        else:
            values[name] = ""
    for required in (group.record_identifier, group.event_time_feature):
        if not values.get(required):
            raise ValidationError(
                f"The record is missing {required}, the "
                + ("record identifier" if required == group.record_identifier else "event time")
                + f" feature of FeatureGroup {group.name}"
            )
    return values


def _check_type(name: str, value: str, feature_type: str) -> None:
    parse = {"Integral": int, "Fractional": float}.get(feature_type)
    if parse is None:
        return
    try:
        parse(value)
    except ValueError:
        raise ValidationError(
            f"Value '{value}' of feature {name} is not a valid {feature_type}"
        ) from None


def _event_time(group: FeatureGroupView, value: str) -> float:
    """Seconds since the epoch, from a Fractional or an ISO-8601 String event time."""
    if group.feature_types[group.event_time_feature] == "Fractional":
        try:
            return float(value)
        except ValueError:
            pass
    elif _ISO_EVENT_TIME.fullmatch(value):
        try:
            return datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC).timestamp()
        except ValueError:  # well-formed but not a date, e.g. month 13
            pass
    raise ValidationError(
        f"EventTime '{value}' is invalid: use seconds since the epoch for a Fractional event "
        "time feature, or yyyy-MM-ddTHH:mm:ssZ (optionally .SSS) for a String one"
    )


def _check_feature_names(group: FeatureGroupView, names: list[str] | None) -> None:
    unknown = sorted(set(names or ()) - set(group.feature_types))
    if unknown:
        raise ValidationError(
            f"Features {', '.join(unknown)} are not defined in FeatureGroup {group.name}"
        )


def _batch_error(name: str, record_id: str, error: Exception) -> dict[str, str]:
    return {
        "FeatureGroupName": name,
        "RecordIdentifierValueAsString": record_id,
        "ErrorCode": getattr(error, "code", "ValidationError"),
        "ErrorMessage": getattr(error, "message", str(error)),
    }


featurestore_runtime_backends = moto_internals.addon_backends(
    FeatureStoreRuntimeBackend, "sagemaker-featurestore-runtime", regions_of="sagemaker"
)
