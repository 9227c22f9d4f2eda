"""Steps that run no job: Condition (chooses a branch), Fail (ends the execution with its
message), and the step types the local cloud does not run, each failing with a message that
says so and why, rather than passing unnoticed.
"""

from __future__ import annotations

from sagestack.localcloud.executors.pipelines import conditions
from sagestack.localcloud.executors.pipelines.expressions import ExpressionError, as_text
from sagestack.localcloud.executors.pipelines.outcome import StepContext, StepFailed, StepOutcome

# step type -> why the local cloud does not run it
NOT_RUN_LOCALLY = {
    "Lambda": "it invokes an AWS Lambda function ({target}), and the local cloud runs no Lambda "
    "functions",
    "Callback": "it waits for an outside system to answer through SQS ({target}) and "
    "SendPipelineExecutionStepSuccess, which no local system does",
    "Tuning": "hyperparameter tuning jobs are not run locally",
    "AutoML": "AutoML jobs are not run locally",
    "QualityCheck": "Model Monitor's baselining container is not run locally",
    "ClarifyCheck": "SageMaker Clarify's container is not run locally",
    "EMR": "it runs on an Amazon EMR cluster",
    "EMRServerless": "it runs on Amazon EMR Serverless",
    "EndpointConfig": "endpoint steps belong to the endpoints executor, not pipelines",
    "Endpoint": "endpoint steps belong to the endpoints executor, not pipelines",
}


def run_condition_step(context: StepContext) -> StepOutcome:
    try:
        outcome = conditions.holds(context.step.arguments.get("Conditions") or [], context.scope())
    except ExpressionError as error:
        raise StepFailed(str(error)) from error
    metadata = {"Condition": {"Outcome": "True" if outcome else "False"}}
    return StepOutcome("Succeeded", properties={"Outcome": outcome}, metadata=metadata)


def run_fail_step(context: StepContext) -> StepOutcome:
    message = as_text(context.evaluate(context.step.arguments.get("ErrorMessage", "")))
    return StepOutcome(
        "Failed", metadata={"Fail": {"ErrorMessage": message}}, failure_reason=message or None
    )


def run_unsupported_step(context: StepContext) -> StepOutcome:
    step = context.step
    target = step.body.get("FunctionArn") or step.body.get("SqsQueueUrl") or "not named"
    why = NOT_RUN_LOCALLY.get(step.type, "the local cloud does not run {type} steps")
    raise StepFailed(
        f"ClientError: step {step.name} is a {step.type} step, which is not run locally: "
        + why.format(target=target, type=step.type)
    )
