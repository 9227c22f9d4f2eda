"""Parse InvokeEndpoint (a raw body and ``X-Amzn-SageMaker-*`` headers), call the backend, answer
the model's body with the runtime's headers."""

from __future__ import annotations

import time
from urllib.parse import unquote

from sagestack.localcloud.executors.endpoints.invocation import InvocationRequest
from sagestack.localcloud.moto import BaseResponse

from .models import SageMakerRuntimeBackend, sagemaker_runtime_backends


class SageMakerRuntimeResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name="sagemaker-runtime")

    @property
    def backend(self) -> SageMakerRuntimeBackend:
        return sagemaker_runtime_backends[self.current_account][self.region]

    def _endpoint_name(self) -> str:
        return unquote(self.path.split("?")[0].split("/")[2])

    def invoke_endpoint(self):
        arrived = time.perf_counter()
        headers = self.headers
        body = self.body if isinstance(self.body, bytes) else (self.body or "").encode()
        result = self.backend.invoke_endpoint(
            InvocationRequest(
                account_id=self.current_account,
                region=self.region,
                endpoint=self._endpoint_name(),
                body=body,
                content_type=headers.get("Content-Type"),
                accept=headers.get("Accept"),
                custom_attributes=headers.get("X-Amzn-SageMaker-Custom-Attributes"),
                target_variant=headers.get("X-Amzn-SageMaker-Target-Variant"),
                inference_id=headers.get("X-Amzn-SageMaker-Inference-Id"),
                arrived=arrived,
            )
        )
        answer = {
            "Content-Type": result.content_type,
            "x-Amzn-Invoked-Production-Variant": result.variant,
        }
        if result.custom_attributes:
            answer["X-Amzn-SageMaker-Custom-Attributes"] = result.custom_attributes
        return 200, answer, result.body

    def invoke_endpoint_async(self):
        self.backend.invoke_endpoint_async(self._endpoint_name())
