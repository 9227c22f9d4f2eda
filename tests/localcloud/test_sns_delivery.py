"""SNS delivery on the local cloud: HTTP subscribers get SNS's signed JSON bodies and headers,
SubscriptionConfirmation first and Notifications once confirmed; SQS gets raw or wrapped bodies.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from sagestack import contract
from sagestack.localcloud import clock
from sagestack.localcloud.services.sns import SENDER
from sagestack.localcloud.testing import sns_signature
from sagestack.localcloud.testing.receiver import (
    NOTIFICATION,
    SUBSCRIPTION_CONFIRMATION,
    SnsReceiver,
)

NOTIFICATION_KEYS = {
    "Type",
    "MessageId",
    "TopicArn",
    "Subject",
    "Message",
    "Timestamp",
    "SignatureVersion",
    "Signature",
    "SigningCertURL",
    "UnsubscribeURL",
}


@pytest.fixture
def sns(fresh_local_cloud):
    if not fresh_local_cloud.is_sagestack:
        pytest.skip("HTTP subscribers on loopback are reachable from sagestack's local cloud only")
    return boto3.client("sns", endpoint_url=fresh_local_cloud.url)


@pytest.fixture
def pager():
    with SnsReceiver() as receiver:
        yield receiver


@pytest.fixture
def topic(sns):
    return sns.create_topic(Name="oncall")["TopicArn"]


def test_subscribe_sends_signed_subscription_confirmation_first(sns, topic):
    with SnsReceiver(confirm_subscriptions=False) as pager:
        answer = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=pager.url)
        [confirmation] = pager.wait_for(1)
    assert answer["SubscriptionArn"] == "pending confirmation"
    assert confirmation.message_type == SUBSCRIPTION_CONFIRMATION and confirmation.verified
    body = confirmation.body
    assert body["Type"] == SUBSCRIPTION_CONFIRMATION and body["TopicArn"] == topic
    assert body["Token"] and body["SignatureVersion"] == "1"
    query = parse_qs(urlsplit(body["SubscribeURL"]).query)
    assert query == {
        "Action": ["ConfirmSubscription"],
        "TopicArn": [topic],
        "Token": [body["Token"]],
    }
    assert confirmation.headers["x-amz-sns-topic-arn"] == topic
    assert confirmation.headers["x-amz-sns-message-id"] == body["MessageId"]
    [listed] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed["SubscriptionArn"] == "PendingConfirmation"
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert (attributes["SubscriptionsPending"], attributes["SubscriptionsConfirmed"]) == ("1", "0")


def test_delivery_attempts_are_listed_over_http(sns, topic, pager, fresh_local_cloud):
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=pager.url)
    pager.wait_for(1, SUBSCRIPTION_CONFIRMATION)
    message_id = sns.publish(TopicArn=topic, Message="m")["MessageId"]
    pager.wait_for(1, NOTIFICATION)
    SENDER.drain()
    listed = requests.get(f"{fresh_local_cloud.url}/_sagestack/sns/deliveries", timeout=5).json()
    [record] = [d for d in listed["Deliveries"] if d["message_id"] == message_id]
    assert record["endpoint"] == pager.url and record["status_code"] == 200
    assert record["message_type"] == NOTIFICATION and record["attempts"] == 1


def test_unconfirmed_subscription_receives_no_notification(sns, topic):
    with SnsReceiver(confirm_subscriptions=False) as pager:
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=pager.url)
        pager.wait_for(1, SUBSCRIPTION_CONFIRMATION)
        sns.publish(TopicArn=topic, Message="too early")
        SENDER.drain()
        assert pager.messages(NOTIFICATION) == []


def test_confirm_subscription_with_the_token_then_notification_arrives(sns, topic):
    with SnsReceiver(confirm_subscriptions=False) as pager:
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=pager.url)
        [confirmation] = pager.wait_for(1, SUBSCRIPTION_CONFIRMATION)
        confirmed = sns.confirm_subscription(TopicArn=topic, Token=confirmation.body["Token"])
        arn = confirmed["SubscriptionArn"]
        assert arn.startswith(topic + ":")
        attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        assert attributes["PendingConfirmation"] == "false"
        counts = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
        assert (counts["SubscriptionsPending"], counts["SubscriptionsConfirmed"]) == ("0", "1")
        sns.publish(TopicArn=topic, Message="drift", Subject="Drift alarm")
        [page] = pager.wait_for(1, NOTIFICATION)
    assert page.body["Message"] == "drift" and page.body["Subject"] == "Drift alarm"
    assert page.headers["x-amz-sns-subscription-arn"] == arn


def test_endpoint_must_match_the_protocol(sns, topic):
    with pytest.raises(ClientError) as error:
        sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="http://127.0.0.1:1/")
    assert error.value.response["Error"]["Code"] == "InvalidParameter"
    assert "https://" in error.value.response["Error"]["Message"]
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


def test_confirm_subscription_with_a_wrong_token_is_rejected(sns, topic):
    with SnsReceiver(confirm_subscriptions=False) as pager:
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=pager.url)
        pager.wait_for(1, SUBSCRIPTION_CONFIRMATION)
    with pytest.raises(ClientError) as error:
        sns.confirm_subscription(TopicArn=topic, Token="0" * 128)
    assert error.value.response["Error"]["Code"] == "InvalidParameter"


def test_visiting_subscribe_url_confirms_and_notification_has_sns_shape(sns, topic, pager):
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=pager.url)
    pager.wait_for(1, SUBSCRIPTION_CONFIRMATION)
    message_id = sns.publish(TopicArn=topic, Message='{"alarm": "drift"}', Subject="ALARM")[
        "MessageId"
    ]
    [page] = pager.wait_for(1, NOTIFICATION)
    assert page.verified
    assert set(page.body) == NOTIFICATION_KEYS
    assert page.body["MessageId"] == message_id and page.body["TopicArn"] == topic
    assert page.body["Message"] == '{"alarm": "drift"}'
    assert page.body["Timestamp"].endswith("Z")
    assert page.headers["x-amz-sns-message-type"] == NOTIFICATION
    assert page.headers["x-amz-sns-message-id"] == message_id
    assert page.headers["content-type"] == "text/plain; charset=UTF-8"
    assert page.headers["user-agent"] == "Amazon Simple Notification Service Agent"


def test_message_attributes_and_signature_version_2(sns, topic, pager):
    sns.set_topic_attributes(TopicArn=topic, AttributeName="SignatureVersion", AttributeValue="2")
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=pager.url)
    pager.wait_for(1, SUBSCRIPTION_CONFIRMATION)
    sns.publish(
        TopicArn=topic,
        Message="m",
        MessageAttributes={"severity": {"DataType": "String", "StringValue": "high"}},
    )
    [page] = pager.wait_for(1, NOTIFICATION)
    assert page.verified and page.body["SignatureVersion"] == "2"
    assert page.body["MessageAttributes"] == {"severity": {"Type": "String", "Value": "high"}}


def test_filter_policy_and_per_protocol_messages_reach_http_subscribers(sns, topic, pager):
    sns.subscribe(
        TopicArn=topic,
        Protocol="http",
        Endpoint=pager.url,
        Attributes={"FilterPolicy": json.dumps({"severity": ["high"]})},
    )
    pager.wait_for(1, SUBSCRIPTION_CONFIRMATION)
    high = {"severity": {"DataType": "String", "StringValue": "high"}}
    low = {"severity": {"DataType": "String", "StringValue": "low"}}
    sns.publish(TopicArn=topic, Message="filtered out", MessageAttributes=low)
    structured = json.dumps({"default": "for everyone", "http": "for web hooks"})
    sns.publish(TopicArn=topic, Message=structured, MessageStructure="json", MessageAttributes=high)
    SENDER.drain()
    assert [page.body["Message"] for page in pager.messages(NOTIFICATION)] == ["for web hooks"]


def test_receiver_rejects_a_tampered_message(sns, topic, pager):
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=pager.url)
    [confirmation] = pager.wait_for(1, SUBSCRIPTION_CONFIRMATION)
    forged = {**confirmation.body, "SubscribeURL": "http://127.0.0.1:1/elsewhere"}
    answer = requests.post(
        pager.url,
        data=json.dumps(forged),
        headers={"x-amz-sns-message-type": SUBSCRIPTION_CONFIRMATION},
        timeout=5,
    )
    assert answer.status_code == 403
    assert [why for _headers, why in pager.rejected] == ["signature does not verify"]
    assert len(pager.messages()) == 1


def test_unsubscribe_url_removes_the_subscription(sns, topic, pager):
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=pager.url)
    pager.wait_for(1, SUBSCRIPTION_CONFIRMATION)
    sns.publish(TopicArn=topic, Message="one")
    [page] = pager.wait_for(1, NOTIFICATION)
    answer = requests.get(page.body["UnsubscribeURL"], timeout=5)
    assert answer.status_code == 200 and "<UnsubscribeResponse" in answer.text
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    sns.publish(TopicArn=topic, Message="two")
    SENDER.drain()
    assert [m.body["Message"] for m in pager.messages(NOTIFICATION)] == ["one"]


def test_raw_message_delivery_to_http_posts_the_message_itself(sns, topic, pager):
    answer = sns.subscribe(
        TopicArn=topic,
        Protocol="http",
        Endpoint=pager.url,
        Attributes={"RawMessageDelivery": "true"},
        ReturnSubscriptionArn=True,
    )
    assert answer["SubscriptionArn"].startswith(topic + ":")  # the ARN, even while pending
    pager.wait_for(1, SUBSCRIPTION_CONFIRMATION)
    sns.publish(TopicArn=topic, Message="raw page")
    [page] = pager.wait_for(1, NOTIFICATION)
    assert page.body == "raw page" and page.headers["x-amz-sns-rawdelivery"] == "true"


def _queue(fresh_local_cloud, name: str) -> tuple[object, str, str]:
    sqs = boto3.client("sqs", endpoint_url=fresh_local_cloud.url)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return sqs, url, arn["QueueArn"]


def test_sqs_subscription_gets_the_signed_sns_envelope(sns, topic, fresh_local_cloud):
    sqs, url, arn = _queue(fresh_local_cloud, "wrapped")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    message_id = sns.publish(TopicArn=topic, Message="hello", Subject="S")["MessageId"]
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    envelope = json.loads(message["Body"])
    assert set(envelope) == NOTIFICATION_KEYS
    assert envelope["MessageId"] == message_id and envelope["Message"] == "hello"
    assert envelope["SigningCertURL"].startswith(fresh_local_cloud.url + "/")
    certificate = requests.get(envelope["SigningCertURL"], timeout=5).content
    assert sns_signature.is_authentic(envelope, certificate)


def test_sqs_subscription_with_raw_delivery_gets_the_message_itself(sns, topic, fresh_local_cloud):
    sqs, url, arn = _queue(fresh_local_cloud, "raw")
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    sns.publish(TopicArn=topic, Message="hello raw")
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    assert message["Body"] == "hello raw"


def test_alarm_action_pages_the_http_receiver(sns, topic, pager, fresh_local_cloud):
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=pager.url)
    pager.wait_for(1, SUBSCRIPTION_CONFIRMATION)
    cloudwatch = boto3.client("cloudwatch", endpoint_url=fresh_local_cloud.url)
    with clock.frozen() as frozen:
        cloudwatch.put_metric_alarm(
            AlarmName="churn-drift",
            Namespace=contract.DRIFT_NAMESPACE,
            MetricName=contract.DRIFT_MAX_METRIC,
            Statistic="Maximum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=0.2,
            ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[topic],
        )
        cloudwatch.put_metric_data(
            Namespace=contract.DRIFT_NAMESPACE,
            MetricData=[
                {"MetricName": contract.DRIFT_MAX_METRIC, "Value": 0.9, "Timestamp": frozen.now()}
            ],
        )
        frozen.advance(120)
    [page] = pager.wait_for(1, NOTIFICATION)
    assert page.verified
    assert page.body["Subject"] == 'ALARM: "churn-drift" in US East (N. Virginia)'
    alarm = json.loads(page.body["Message"])
    assert alarm["AlarmName"] == "churn-drift" and alarm["NewStateValue"] == "ALARM"


def test_eventbridge_sns_target_pages_the_http_receiver(sns, topic, fresh_local_cloud, tmp_path):
    record = tmp_path / "pages.jsonl"
    with SnsReceiver(record_to=record) as pager:
        _page_through_eventbridge(sns, topic, pager, fresh_local_cloud)
        assert pager.pages() == ['"page oncall"']
    logged = [json.loads(line) for line in record.read_text().splitlines()]
    assert [entry["type"] for entry in logged] == [SUBSCRIPTION_CONFIRMATION, NOTIFICATION]
    assert logged[1]["body"]["Message"] == '"page oncall"' and logged[1]["verified"] is True


def _page_through_eventbridge(sns, topic, pager, fresh_local_cloud):
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=pager.url)
    pager.wait_for(1, SUBSCRIPTION_CONFIRMATION)
    events = boto3.client("events", endpoint_url=fresh_local_cloud.url)
    events.put_rule(Name="page", EventPattern=json.dumps({"source": ["sagestack.test"]}))
    transformer = {"InputPathsMap": {"who": "$.detail.who"}, "InputTemplate": '"page <who>"'}
    events.put_targets(
        Rule="page", Targets=[{"Id": "t", "Arn": topic, "InputTransformer": transformer}]
    )
    events.put_events(
        Entries=[{"Source": "sagestack.test", "DetailType": "t", "Detail": '{"who": "oncall"}'}]
    )
    pager.wait_for(1, NOTIFICATION)
