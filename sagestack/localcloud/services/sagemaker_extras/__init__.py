"""SageMaker extras: what the platform uses and moto's SageMaker lacks.

ListPipelineExecutionSteps; Create/Describe/List/DeleteMonitoringSchedule; DeleteModelPackageGroup
(refused while it holds packages), DeleteModelPackage, DeleteFeatureGroup; OnlineStoreConfig on
feature groups; "SageMaker Model Package State Change" events (see model_package_events).
"""

from __future__ import annotations

from sagestack.localcloud import moto as moto_internals


def install() -> None:
    from . import model_package_events
    from .responses import SageMakerExtrasResponse

    moto_internals.extend_service("sagemaker", SageMakerExtrasResponse)
    moto_internals.wrap_backend_operation(
        "sagemaker", "create_model_package", model_package_events.on_create
    )
    moto_internals.wrap_backend_operation(
        "sagemaker", "update_model_package", model_package_events.on_update
    )
