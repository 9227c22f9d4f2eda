"""SageMaker hosting: endpoints that serve and transform jobs that run, instead of moto's records.

CreateEndpoint starts the endpoint's model servers (Creating -> InService or Failed),
DescribeEndpoint shows them as SageMaker does, UpdateEndpoint deploys blue/green with automatic
rollback, UpdateEndpointWeightsAndCapacities moves weights and instance counts, DeleteEndpoint
stops the servers; CreateModel keeps EnableNetworkIsolation; CreateTransformJob runs the job.
The work itself is :mod:`sagestack.localcloud.executors.endpoints`'s; resetting or stopping the
local cloud stops it all.
"""

from __future__ import annotations

from sagestack.localcloud import moto as moto_internals


def install() -> None:
    from sagestack.localcloud.executors import runtime
    from sagestack.localcloud.executors.endpoints import lifecycle, transform

    from .responses import SageMakerHostingResponse

    moto_internals.extend_service("sagemaker", SageMakerHostingResponse)
    moto_internals.on_reset(lifecycle.stop_all)
    moto_internals.on_reset(transform.stop_all)
    runtime.on_stop(lifecycle.stop_all)
    runtime.on_stop(transform.stop_all)
