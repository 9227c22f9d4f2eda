"""SageMaker processing and training jobs, run as local processes with SageMaker's contracts.

CreateProcessingJob and CreateTrainingJob record the job in moto's backend and hand it here;
:func:`start` runs it on a thread of its own (:mod:`.lifecycle`) and keeps its record as AWS
does: ``InProgress``, then ``Completed``, ``Failed`` (with SageMaker's FailureReason) or
``Stopped``, with its times, ``ModelArtifacts`` and metrics, its output in CloudWatch Logs
(``/aws/sagemaker/ProcessingJobs``, ``/aws/sagemaker/TrainingJobs``) and its state changes on
EventBridge.

- :mod:`.processing`, :mod:`.training`: each kind's container contract;
- :mod:`.container`: the image's environment, ``/opt/ml`` and the process's variables;
- :mod:`.transfer`: inputs and outputs between S3 and the job's folder, as the job's role;
- :mod:`.records`: the job's record and its events; :mod:`.failures`: SageMaker's wordings;
- ``standalone/``: what runs inside an image's environment, where sagestack is not installed
  (the training toolkit's script mode, the built-in XGBoost algorithm), run by path.

Transform jobs are the endpoints executor's (batch transform runs on its model servers).
"""

from __future__ import annotations

from sagestack.localcloud.executors.jobs import lifecycle
from sagestack.localcloud.executors.jobs.lifecycle import (
    Job,
    abandon_all,
    find,
    last_error_line,
    start,
)
from sagestack.localcloud.executors.jobs.processing import ProcessingRunner
from sagestack.localcloud.executors.jobs.training import TrainingRunner

__all__ = ["Job", "abandon_all", "find", "last_error_line", "start"]

lifecycle.RUNNERS.update({"ProcessingJob": ProcessingRunner, "TrainingJob": TrainingRunner})
