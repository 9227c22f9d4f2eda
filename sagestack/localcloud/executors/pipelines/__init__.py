"""SageMaker pipeline executions, run by the local cloud step by step.

StartPipelineExecution (from the API or an EventBridge target) records the execution in moto's
backend and hands it to :func:`start`, which checks its parameters and walks the definition on a
thread of its own (:mod:`.execution`): job steps create their jobs through the local cloud's API
as the pipeline's role and wait for them; model steps create models and model packages;
conditions choose branches; a Fail step fails the execution. DescribePipelineExecution,
ListPipelineExecutionSteps and the status change events follow it (:mod:`.records`).

- :mod:`.definition`: the step graph; :mod:`.parameters`: typed parameter values;
- :mod:`.expressions`, :mod:`.conditions`: ``Get``, ``Std:Join``, ``Std:JsonGet``, conditions;
- :mod:`.job_steps`, :mod:`.model_steps`, :mod:`.control_steps`: each step type;
- :mod:`.retry`, :mod:`.cache`: ``RetryPolicies`` and ``CacheConfig``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from sagestack.localcloud.executors.pipelines import cache, parameters
from sagestack.localcloud.executors.pipelines.definition import Definition
from sagestack.localcloud.executors.pipelines.execution import ExecutionRun
from sagestack.localcloud.executors.pipelines.expressions import ExpressionError, evaluate
from sagestack.localcloud.executors.pipelines.parameters import ParameterError
from sagestack.localcloud.executors.pipelines.records import ExecutionRecord

__all__ = [
    "ExecutionRun",
    "ParameterError",
    "abandon_all",
    "experiment_config",
    "find",
    "start",
    "typed_parameters",
]

_RUNS: dict[str, ExecutionRun] = {}
_RUNS_LOCK = threading.Lock()


def typed_parameters(definition: str, given: Iterable[Mapping[str, str]] | None) -> dict:
    """The execution's parameter values; :class:`ParameterError` when they do not fit."""
    return parameters.resolve(Definition.parse(definition).parameters, given or [])


def start(
    account_id: str, region: str, pipeline: Any, execution: Any, run: bool = True
) -> ExecutionRun:
    """Run an execution moto has just recorded (its parameters were checked before). With
    ``run`` false (a journal replay) the record says Executing, as the request left it, and
    nothing runs again."""
    definition = Definition.parse(execution.pipeline_definition_for_execution)
    values = parameters.resolve(definition.parameters, execution.pipeline_parameters or [])
    record = ExecutionRecord(account_id, region, pipeline, execution)
    execution_run = ExecutionRun(record, definition, values)
    record.set_status("Executing")
    if not run:
        return execution_run
    with _RUNS_LOCK:
        _RUNS[record.arn] = execution_run
    threading.Thread(
        target=_run,
        args=(execution_run,),
        name=f"execution-{execution_run.execution_id}",
        daemon=True,
    ).start()
    return execution_run


def _run(run: ExecutionRun) -> None:
    try:
        run.run()
    finally:
        with _RUNS_LOCK:
            if _RUNS.get(run.record.arn) is run:
                del _RUNS[run.record.arn]


def find(execution_arn: str) -> ExecutionRun | None:
    """The execution if it is still running."""
    with _RUNS_LOCK:
        return _RUNS.get(execution_arn)


def experiment_config(account_id: str, region: str, pipeline: Any, execution: Any) -> dict:
    """The execution's PipelineExperimentConfig, its expressions evaluated."""
    definition = Definition.parse(execution.pipeline_definition_for_execution)
    config = definition.experiment_config
    if not config:
        return {}
    run = find(execution.arn)
    if run is None:
        record = ExecutionRecord(account_id, region, pipeline, execution)
        run = ExecutionRun(record, definition, {})
    try:
        return evaluate(config, run.scope())
    except ExpressionError:
        return {}


def abandon_all() -> None:
    """A reset: running executions stop at once and record nothing more; the cache empties."""
    with _RUNS_LOCK:
        runs = list(_RUNS.values())
        _RUNS.clear()
    for run in runs:
        run.record.abandoned = True
        run.stopping.set()
    cache.CACHE.clear()
