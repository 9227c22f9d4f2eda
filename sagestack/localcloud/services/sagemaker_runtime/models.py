"""The runtime's backend: an invocation goes to the endpoint's model servers; what goes wrong
is answered with the runtime's error codes and SageMaker's wording."""

from __future__ import annotations

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.executors.endpoints import invocation
from sagestack.localcloud.executors.endpoints.invocation import InvocationRequest, InvocationResult
from sagestack.localcloud.services.exceptions import ModelError, ServiceUnavailable, ValidationError

MAX_BODY_BYTES = 6291456  # InvokeEndpoint's limit (botocore's BodyBlob)


class SageMakerRuntimeBackend(moto_internals.BaseBackend):
    def invoke_endpoint(self, request: InvocationRequest) -> InvocationResult:
        if len(request.body) > MAX_BODY_BYTES:
            raise ValidationError(
                f"Request body of {len(request.body)} bytes exceeds InvokeEndpoint's limit of "
                f"{MAX_BODY_BYTES} bytes"
            )
        try:
            return invocation.invoke(request)
        except invocation.EndpointNotFound:
            raise ValidationError(
                f"Endpoint {request.endpoint} of account {self.account_id} not found."
            ) from None
        except invocation.VariantNotFound:
            raise ValidationError(
                f'The variant name(s) "{request.target_variant}" is/are not present within '
                f'endpoint "{request.endpoint}".'
            ) from None
        except invocation.NoCapacity as error:
            raise ServiceUnavailable(
                f"Endpoint {request.endpoint} has no instance in service right now: {error}"
            ) from None
        except invocation.ModelFailed as failure:
            raise self._model_error(request.endpoint, failure) from None

    def invoke_endpoint_async(self, endpoint: str) -> None:
        raise ValidationError(
            f"InvokeEndpointAsync on endpoint {endpoint}: asynchronous inference is not run "
            "locally (call InvokeEndpoint instead)"
        )

    def _model_error(self, endpoint: str, failure: invocation.ModelFailed) -> ModelError:
        logs = (
            f"https://{self.region_name}.console.aws.amazon.com/cloudwatch/home?region="
            f"{self.region_name}#logEventViewer:group=/aws/sagemaker/Endpoints/{endpoint} in "
            f"account {self.account_id}"
        )
        kind = "client" if 400 <= failure.status < 500 else "server"
        if failure.complete:
            message = (
                f"Received {kind} error ({failure.status}) from primary with message "
                f'"{failure.body}". See {logs} for more information.'
            )
        else:
            message = (
                f"Received {kind} error ({failure.status}) from primary and could not load the "
                f"entire response body. See {logs} for more information."
            )
        group = f"/aws/sagemaker/Endpoints/{endpoint}"
        stream_arn = f"arn:aws:logs:{self.region_name}:{self.account_id}:log-group:{group}" + (
            f":log-stream:{failure.log_stream}" if failure.log_stream else ""
        )
        return ModelError(message, failure.status, failure.body, stream_arn)


sagemaker_runtime_backends = moto_internals.addon_backends(
    SageMakerRuntimeBackend, "sagemaker-runtime", regions_of="sagemaker"
)
