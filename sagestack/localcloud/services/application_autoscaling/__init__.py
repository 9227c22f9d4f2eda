"""Application Auto Scaling: target tracking scales SageMaker variants (moto only records it).

RegisterScalableTarget moves a running variant into its new capacity range at once; every minute
of the local cloud's clock, each ``SageMakerVariantInvocationsPerInstance`` target tracking policy
is evaluated (:mod:`sagestack.localcloud.executors.endpoints.autoscaling`).
"""

from __future__ import annotations

from sagestack.localcloud import clock
from sagestack.localcloud import moto as moto_internals


def install() -> None:
    from sagestack.localcloud.executors.endpoints import autoscaling

    moto_internals.wrap_backend_operation(
        "application-autoscaling", "register_scalable_target", autoscaling.on_register
    )
    moto_internals.on_reset(autoscaling.forget)
    clock.on_tick(autoscaling.evaluate_due)
    clock.ensure_ticking()
