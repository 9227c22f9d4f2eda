"""Parse Feature Store runtime requests, call the backend, serialise (moto does both ends)."""

from __future__ import annotations

from sagestack.localcloud.moto import ActionResult, BaseResponse, EmptyResult

from .models import FeatureStoreRuntimeBackend, featurestore_runtime_backends


class FeatureStoreRuntimeResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name="sagemaker-featurestore-runtime")
        self.automated_parameter_parsing = True

    @property
    def backend(self) -> FeatureStoreRuntimeBackend:
        return featurestore_runtime_backends[self.current_account][self.region]

    def put_record(self) -> ActionResult:
        self.backend.put_record(self._get_param("FeatureGroupName"), self._get_param("Record"))
        return EmptyResult()

    def get_record(self) -> ActionResult:
        record = self.backend.get_record(
            self._get_param("FeatureGroupName"),
            self._get_param("RecordIdentifierValueAsString"),
            self._get_param("FeatureNames"),
        )
        return ActionResult({} if record is None else {"Record": record})

    def delete_record(self) -> ActionResult:
        self.backend.delete_record(
            self._get_param("FeatureGroupName"),
            self._get_param("RecordIdentifierValueAsString"),
            self._get_param("EventTime"),
            self._get_param("DeletionMode") or "SoftDelete",
        )
        return EmptyResult()

    def batch_get_record(self) -> ActionResult:
        return ActionResult(self.backend.batch_get_record(self._get_param("Identifiers")))
