"""Pipeline executions walk their definition: parallel branches, dependencies, typed
parameters, expressions, property files and conditions, Fail steps, failing scripts."""

from __future__ import annotations

import json

import pytest
from pipeline_runs import job_log, python_step, s3_input, s3_output, wait_for_execution

WRITE_ARGS = (
    "import json, sys, pathlib; out = pathlib.Path('/opt/ml/processing/out'); "
    "(out / 'args.json').write_text(json.dumps(sys.argv[1:]))"
)


def test_independent_steps_run_side_by_side_and_a_step_after_both_waits_for_them(world):
    nap = "import time; time.sleep(1.5)"
    steps = [
        python_step("Left", nap, world.role),
        python_step("Right", nap, world.role),
        python_step("Join", "print('joined')", world.role, DependsOn=["Left", "Right"]),
    ]
    world.create_pipeline("parallel", steps)
    described, ran = world.run("parallel")
    assert described["PipelineExecutionStatus"] == "Succeeded"
    left, right, join = ran["Left"], ran["Right"], ran["Join"]
    assert left["StartTime"] < right["EndTime"] and right["StartTime"] < left["EndTime"]
    assert join["StartTime"] >= max(left["EndTime"], right["EndTime"])


def _arguments_pipeline(world) -> None:
    out = {
        "Std:Join": {
            "On": "/",
            "Values": [world.uri("args"), {"Get": "Execution.PipelineExecutionId"}],
        }
    }
    arguments = [
        {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Count"}]}},
        {
            "Std:Join": {
                "On": ":",
                "Values": [
                    {"Get": "Parameters.Rate"},
                    {"Get": "Parameters.Verbose"},
                    {"Get": "Parameters.Name"},
                ],
            }
        },
        {"Get": "Execution.ProcessingJobName"},
    ]
    step = python_step(
        "Show",
        WRITE_ARGS,
        world.role,
        arguments=arguments,
        outputs=[s3_output("out", out, "/opt/ml/processing/out")],
    )
    parameters = [
        {"Name": "Count", "Type": "Integer", "DefaultValue": 2},
        {"Name": "Rate", "Type": "Float", "DefaultValue": 0.5},
        {"Name": "Verbose", "Type": "Boolean", "DefaultValue": False},
        {"Name": "Name", "Type": "String", "DefaultValue": "plain", "EnumValues": ["plain", "x"]},
    ]
    world.create_pipeline("arguments", [step], parameters)


def test_parameters_reach_the_step_typed_and_expressions_evaluated(world):
    _arguments_pipeline(world)
    described, ran = world.run("arguments", Count="3", Verbose="true")
    assert described["PipelineExecutionStatus"] == "Succeeded"
    execution_id = described["PipelineExecutionArn"].rsplit("/", 1)[-1]
    count, joined, job_name = json.loads(world.read(f"args/{execution_id}/args.json"))
    assert (count, joined) == ("3", "0.5:true:plain")
    job_arn = ran["Show"]["Metadata"]["ProcessingJob"]["Arn"]
    assert job_arn.endswith(f"/{job_name}")
    assert job_name.startswith(f"pipelines-{execution_id}-Show-")


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("Count", "three", "Integer"),
        ("Verbose", "yes", "Boolean"),
        ("Name", "other", "EnumValues"),
        ("Unknown", "1", "not a parameter"),
    ],
)
def test_a_parameter_that_does_not_fit_the_definition_refuses_the_start(
    world, aws_error, name, value, said
):
    _arguments_pipeline(world)
    error = aws_error(lambda: world.start("arguments", **{name: value}))["Error"]
    assert error["Code"] == "ValidationException"
    assert name in error["Message"] and said in error["Message"]
    listed = world.sagemaker.list_pipeline_executions(PipelineName="arguments")
    assert listed["PipelineExecutionSummaries"] == []


def _gate_pipeline(world) -> None:
    report = {
        "Std:Join": {
            "On": "/",
            "Values": [world.uri("eval"), {"Get": "Execution.PipelineExecutionId"}],
        }
    }
    evaluate = python_step(
        "Evaluate",
        "import json; open('/opt/ml/processing/report/report.json', 'w')"
        ".write(json.dumps({'metrics': {'score': [0.1, 0.8]}}))",
        world.role,
        outputs=[s3_output("report", report, "/opt/ml/processing/report")],
        PropertyFiles=[
            {"PropertyFileName": "Report", "OutputName": "report", "FilePath": "report.json"}
        ],
    )
    score = {
        "Std:JsonGet": {
            "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.Report"},
            "Path": "metrics.score[1]",
        }
    }
    fail = {
        "Name": "TooLow",
        "Type": "Fail",
        "Arguments": {
            "ErrorMessage": {
                "Std:Join": {"On": " ", "Values": ["score below", {"Get": "Parameters.Threshold"}]}
            }
        },
    }
    gate = {
        "Name": "Gate",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [
                {
                    "Type": "GreaterThanOrEqualTo",
                    "LeftValue": score,
                    "RightValue": {"Get": "Parameters.Threshold"},
                }
            ],
            "IfSteps": [python_step("Ship", "print('shipped')", world.role)],
            "ElseSteps": [fail],
        },
    }
    parameters = [{"Name": "Threshold", "Type": "Float", "DefaultValue": 0.5}]
    world.create_pipeline("gate", [evaluate, gate], parameters)


def test_a_condition_reads_a_property_file_and_runs_only_the_branch_it_chose(world):
    _gate_pipeline(world)
    described, ran = world.run("gate")
    assert described["PipelineExecutionStatus"] == "Succeeded"
    assert set(ran) == {"Evaluate", "Gate", "Ship"}
    assert ran["Gate"]["Metadata"] == {"Condition": {"Outcome": "True"}}


def test_the_other_branch_s_fail_step_fails_the_execution_with_its_message(world):
    _gate_pipeline(world)
    described, ran = world.run("gate", Threshold="0.9")
    assert described["PipelineExecutionStatus"] == "Failed"
    assert described["FailureReason"] == "Step failure: One or multiple steps failed."
    assert set(ran) == {"Evaluate", "Gate", "TooLow"}
    assert ran["Gate"]["Metadata"] == {"Condition": {"Outcome": "False"}}
    assert ran["TooLow"]["StepStatus"] == "Failed"
    assert ran["TooLow"]["FailureReason"] == "score below 0.9"
    assert ran["TooLow"]["Metadata"] == {"Fail": {"ErrorMessage": "score below 0.9"}}


def test_a_failing_script_fails_its_step_with_its_last_error_line_and_nothing_after_runs(world):
    crash = "rows = [1, 2]; raise ValueError(f'bad row {len(rows) + 5}')"
    steps = [
        python_step("Crash", crash, world.role),
        python_step("After", "print('after')", world.role, DependsOn=["Crash"]),
        # running when Crash fails: it ends, and what waits for it does not start
        python_step("Slow", "import time; time.sleep(1.5)", world.role),
        python_step("AfterSlow", "print('after slow')", world.role, DependsOn=["Slow"]),
    ]
    world.create_pipeline("crash", steps)
    described, ran = world.run("crash")
    assert described["PipelineExecutionStatus"] == "Failed"
    assert set(ran) == {"Crash", "Slow"}
    assert ran["Slow"]["StepStatus"] == "Succeeded"
    reason = ran["Crash"]["FailureReason"]
    assert reason.startswith("AlgorithmError: See job logs for more information")
    assert reason.endswith("ValueError: bad row 7")
    job_name = ran["Crash"]["Metadata"]["ProcessingJob"]["Arn"].rsplit("/", 1)[-1]
    log = job_log(world.logs, "/aws/sagemaker/ProcessingJobs", job_name)
    assert "Traceback (most recent call last):" in log
    assert log[-1] == "ValueError: bad row 7"


def test_a_path_the_property_file_lacks_fails_the_condition_that_reads_it(world):
    _gate_pipeline(world)
    definition = json.loads(
        world.sagemaker.describe_pipeline(PipelineName="gate")["PipelineDefinition"]
    )
    condition = definition["Steps"][1]["Arguments"]["Conditions"][0]
    condition["LeftValue"]["Std:JsonGet"]["Path"] = "metrics.loss"
    world.sagemaker.update_pipeline(PipelineName="gate", PipelineDefinition=json.dumps(definition))
    described, ran = world.run("gate")
    assert described["PipelineExecutionStatus"] == "Failed"
    assert set(ran) == {"Evaluate", "Gate"}
    assert ran["Gate"]["FailureReason"].startswith("Invalid json path 'metrics.loss'")


def test_a_get_of_an_output_the_step_does_not_have_is_refused_at_create(world, aws_error):
    made = python_step(
        "Make",
        "print('made')",
        world.role,
        outputs=[s3_output("data", world.uri("made"), "/opt/ml/processing/data")],
    )
    missing = "Steps.Make.ProcessingOutputConfig.Outputs['nope'].S3Output.S3Uri"
    step = python_step(
        "Read",
        "print('read')",
        world.role,
        inputs=[s3_input("in", {"Get": missing}, "/opt/ml/processing/in")],
    )
    error = aws_error(lambda: world.create_pipeline("refused", [made, step]))["Error"]
    assert error["Code"] == "ValidationException"
    assert 'the step has no item named "nope"' in error["Message"]
    assert world.sagemaker.list_pipelines()["PipelineSummaries"] == []


@pytest.mark.parametrize(
    ("step", "said"),
    [
        (
            {
                "Name": "Notify",
                "Type": "Lambda",
                "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:notify",
                "Arguments": {},
            },
            "runs no Lambda functions",
        ),
        (
            {
                "Name": "Wait",
                "Type": "Callback",
                "SqsQueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                "Arguments": {},
            },
            "SendPipelineExecutionStepSuccess",
        ),
    ],
)
def test_lambda_and_callback_steps_fail_saying_they_are_not_run_locally(world, step, said):
    world.create_pipeline("outside", [step])
    described, ran = world.run("outside")
    assert described["PipelineExecutionStatus"] == "Failed"
    reason = ran[step["Name"]]["FailureReason"]
    assert "not run locally" in reason and said in reason


def test_update_pipeline_with_an_invalid_definition_keeps_the_valid_one(world, aws_error):
    world.create_pipeline("kept", [python_step("One", "print(1)", world.role)])
    error = aws_error(
        lambda: world.sagemaker.update_pipeline(
            PipelineName="kept",
            PipelineDefinition=json.dumps({"Version": "2020-12-01", "Steps": []}),
        )
    )["Error"]
    assert error["Code"] == "ValidationException"
    assert "Steps" in error["Message"]
    kept = world.sagemaker.describe_pipeline(PipelineName="kept")["PipelineDefinition"]
    assert json.loads(kept)["Steps"][0]["Name"] == "One"


def test_stopping_an_execution_stops_its_running_job(world):
    world.create_pipeline("long", [python_step("Nap", "import time; time.sleep(60)", world.role)])
    arn = world.start("long")
    sagemaker = world.sagemaker
    job = _running_job(sagemaker, arn)
    sagemaker.stop_pipeline_execution(PipelineExecutionArn=arn)
    described = wait_for_execution(sagemaker, arn, timeout=30)
    assert described["PipelineExecutionStatus"] == "Stopped"
    step = sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=arn)[
        "PipelineExecutionSteps"
    ][0]
    assert step["StepStatus"] == "Stopped"
    assert sagemaker.describe_processing_job(ProcessingJobName=job)["ProcessingJobStatus"] == (
        "Stopped"
    )


def _running_job(sagemaker, execution_arn: str, timeout: float = 30) -> str:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        steps = sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=execution_arn)
        for step in steps["PipelineExecutionSteps"]:
            arn = step.get("Metadata", {}).get("ProcessingJob", {}).get("Arn")
            if arn:
                name = arn.rsplit("/", 1)[-1]
                described = sagemaker.describe_processing_job(ProcessingJobName=name)
                if described.get("ProcessingStartTime"):
                    return name
        time.sleep(0.1)
    raise TimeoutError("no job started")


def _event_queue(pattern: dict) -> str:
    import boto3

    sqs, events = boto3.client("sqs"), boto3.client("events")
    queue = sqs.create_queue(QueueName="pipeline-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(Name="pipeline-events", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="pipeline-events", Targets=[{"Id": "q", "Arn": arn}])
    return queue


def _received(queue: str) -> list[dict]:
    import boto3

    sqs, bodies = boto3.client("sqs"), []
    while True:
        answer = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        if not answer.get("Messages"):
            return bodies
        bodies += [json.loads(m["Body"]) for m in answer["Messages"]]
        sqs.delete_message_batch(
            QueueUrl=queue,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                for i, m in enumerate(answer["Messages"])
            ],
        )


def test_execution_and_step_status_changes_are_events_with_aws_detail_keys(world):
    queue = _event_queue(
        {
            "source": ["aws.sagemaker"],
            "detail-type": [
                "SageMaker Model Building Pipeline Execution Status Change",
                "SageMaker Model Building Pipeline Execution Step Status Change",
            ],
        }
    )
    world.create_pipeline(
        "evented",
        [
            python_step("Work", "print('work')", world.role),
            {
                "Name": "Stop",
                "Type": "Fail",
                "DependsOn": ["Work"],
                "Arguments": {"ErrorMessage": "stopped on purpose"},
            },
        ],
    )
    described, _ = world.run("evented")
    received = _received(queue)
    execution = [e["detail"] for e in received if "currentPipelineExecutionStatus" in e["detail"]]
    assert [d["currentPipelineExecutionStatus"] for d in execution] == ["Executing", "Failed"]
    assert execution[-1]["previousPipelineExecutionStatus"] == "Executing"
    assert execution[-1]["pipelineExecutionArn"] == described["PipelineExecutionArn"]
    assert {"executionStartTime", "executionEndTime", "pipelineArn"} <= set(execution[-1])
    steps = [e["detail"] for e in received if "currentStepStatus" in e["detail"]]
    work = [d["currentStepStatus"] for d in steps if d["stepName"] == "Work"]
    assert (work[0], work[-1]) == ("Starting", "Succeeded") and "Executing" in work
    done = next(
        d for d in steps if d["stepName"] == "Work" and d["currentStepStatus"] == "Succeeded"
    )
    assert done["stepType"] == "Processing"
    assert set(done["metadata"]) == {"processingJob"} and "arn" in done["metadata"]["processingJob"]
    failed = next(
        d for d in steps if d["stepName"] == "Stop" and d["currentStepStatus"] == "Failed"
    )
    assert failed["failureReason"] == "stopped on purpose"
    assert all(
        e["resources"] == [described["PipelineArn"], described["PipelineExecutionArn"]]
        for e in received
    )


def test_list_pipeline_executions_shows_each_execution_s_status_and_failure(world):
    world.create_pipeline(
        "listed", [{"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": "no"}}]
    )
    failed, _ = world.run("listed")
    [summary] = world.sagemaker.list_pipeline_executions(PipelineName="listed")[
        "PipelineExecutionSummaries"
    ]
    assert summary["PipelineExecutionStatus"] == "Failed"
    assert summary["PipelineExecutionFailureReason"] == (
        "Step failure: One or multiple steps failed."
    )
    assert failed["PipelineExecutionDisplayName"].startswith("execution-")


def test_steps_are_listed_newest_started_first_however_they_finish(world):
    world.create_pipeline(
        "listing",
        [
            python_step("Long", "import time; time.sleep(1.5)", world.role),
            python_step("Short", "print('short')", world.role),
            python_step("Last", "print('last')", world.role, DependsOn=["Long", "Short"]),
        ],
    )
    described, _ = world.run("listing")
    listed = world.sagemaker.list_pipeline_execution_steps(
        PipelineExecutionArn=described["PipelineExecutionArn"]
    )["PipelineExecutionSteps"]
    by_start = sorted(listed, key=lambda step: step["StartTime"], reverse=True)
    assert [s["StepName"] for s in listed] == [s["StepName"] for s in by_start]
    assert listed[0]["StepName"] == "Last"
