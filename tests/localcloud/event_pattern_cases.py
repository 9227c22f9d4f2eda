"""EventBridge pattern cases: each an example or a rule from the EventBridge user guide ("Content
filtering in event patterns", "Arrays in event patterns", "Matching null values and empty
strings"), checked through the local cloud's API and against the matcher itself."""

from __future__ import annotations

import json

EVENT = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {
        "instance-id": "i-1234567890abcdef0",
        "state": "terminated",
        "c-count": 5,
        "d-count": 3,
        "x-limit": 301.8,
        "source-ip": "10.0.0.123",
        "empty": "",
        "nothing": None,
        "enabled": True,
        "tags": ["prod", "ml"],
        "items": [{"name": "drift", "score": 0.4}, {"name": "latency", "score": 0.1}],
        "location": {"city": "Berlin", "zone": "eu-central-1a"},
        "service": "EventBridge",
    },
}


def _pattern(**detail: object) -> dict:
    return {"detail": detail}


MATCHING = {
    "exact string": {"source": ["aws.ec2"]},
    "one of several values": {"detail": {"state": ["running", "terminated"]}},
    "exact number": _pattern(**{"c-count": [5]}),
    "exact number in another notation": _pattern(**{"c-count": [5.0]}),
    "boolean": _pattern(enabled=[True]),
    "null value": _pattern(nothing=[None]),
    "empty string": _pattern(empty=[""]),
    "value in an event array": _pattern(tags=["ml"]),
    "nested object": _pattern(location={"city": ["Berlin"]}),
    "object inside an array": _pattern(items={"name": ["drift"]}),
    "prefix": {"time": [{"prefix": "2017-12-22"}]},
    "prefix ignoring case": _pattern(state=[{"prefix": {"equals-ignore-case": "TERM"}}]),
    "suffix": {"source": [{"suffix": ".ec2"}]},
    "suffix ignoring case": _pattern(state=[{"suffix": {"equals-ignore-case": "NATED"}}]),
    # the event's value is folded too, not only the pattern's
    "prefix ignoring the event value's case": _pattern(
        service=[{"prefix": {"equals-ignore-case": "eventb"}}]
    ),
    "suffix ignoring the event value's case": _pattern(
        service=[{"suffix": {"equals-ignore-case": "BRIDGE"}}]
    ),
    # an array is each of its values: anything-but matches when one value is not excluded
    "anything-but one value of an event array": _pattern(tags=[{"anything-but": "prod"}]),
    "anything-but a prefix of one value of an event array": _pattern(
        tags=[{"anything-but": {"prefix": "pr"}}]
    ),
    "equals-ignore-case": _pattern(state=[{"equals-ignore-case": "TERMINATED"}]),
    "anything-but a value": _pattern(state=[{"anything-but": "running"}]),
    "anything-but a list": _pattern(state=[{"anything-but": ["running", "stopped"]}]),
    "anything-but a number": _pattern(**{"c-count": [{"anything-but": 4}]}),
    "anything-but a prefix": _pattern(state=[{"anything-but": {"prefix": "run"}}]),
    "anything-but a suffix": _pattern(state=[{"anything-but": {"suffix": "ing"}}]),
    "anything-but ignoring case": _pattern(
        state=[{"anything-but": {"equals-ignore-case": ["RUNNING", "STOPPED"]}}]
    ),
    "anything-but a wildcard": _pattern(state=[{"anything-but": {"wildcard": "run*"}}]),
    "numeric range": _pattern(**{"c-count": [{"numeric": [">", 0, "<=", 5]}]}),
    "numeric equality": _pattern(**{"x-limit": [{"numeric": ["=", 301.8]}]}),
    "numeric on an array of objects": _pattern(items={"score": [{"numeric": [">=", 0.4]}]}),
    "exists true": _pattern(**{"instance-id": [{"exists": True}]}),
    "exists true for a null value": _pattern(nothing=[{"exists": True}]),
    "exists false": _pattern(**{"missing-field": [{"exists": False}]}),
    "exists false under a missing object": {"missing": {"field": [{"exists": False}]}},
    "wildcard": {"resources": [{"wildcard": "arn:aws:ec2:*:instance/i-*"}]},
    "wildcard star matching nothing": _pattern(state=[{"wildcard": "terminated*"}]),
    "cidr": _pattern(**{"source-ip": [{"cidr": "10.0.0.0/24"}]}),
    "cidr written with host bits": _pattern(**{"source-ip": [{"cidr": "10.0.0.1/24"}]}),
    "$or of three fields": _pattern(
        **{"$or": [{"c-count": [1]}, {"d-count": [1]}, {"state": ["terminated"]}]}
    ),
    "$or of two fields": _pattern(
        **{"$or": [{"c-count": [{"numeric": [">", 10]}]}, {"d-count": [3]}]}
    ),
    "all fields must match": {"source": ["aws.ec2"], "detail": {"state": ["terminated"]}},
}

NOT_MATCHING = {
    "other string": {"source": ["aws.s3"]},
    "strings are case-sensitive": {"source": ["AWS.EC2"]},
    "a string is not a number": _pattern(**{"c-count": ["5"]}),
    "true is not 1": _pattern(**{"c-count": [True]}),
    "null is not an absent field": _pattern(**{"missing-field": [None]}),
    "empty string is not null": _pattern(nothing=[""]),
    "prefix": {"source": [{"prefix": "aws.s3"}]},
    "anything-but needs the field": _pattern(**{"missing-field": [{"anything-but": "x"}]}),
    "anything-but every value of an event array": _pattern(tags=[{"anything-but": ["prod", "ml"]}]),
    "prefix of another case without equals-ignore-case": _pattern(service=[{"prefix": "eventb"}]),
    "anything-but the value": _pattern(state=[{"anything-but": ["terminated"]}]),
    "anything-but a prefix of the value": _pattern(state=[{"anything-but": {"prefix": "term"}}]),
    "numeric range": _pattern(**{"c-count": [{"numeric": [">", 5]}]}),
    "numeric on a string": _pattern(state=[{"numeric": [">", 0]}]),
    "exists true for a missing field": _pattern(**{"missing-field": [{"exists": True}]}),
    "exists false for a present field": _pattern(state=[{"exists": False}]),
    "exists on an object is not a leaf": _pattern(location=[{"exists": True}]),
    "fields of different array objects": _pattern(
        items={"name": ["drift"], "score": [{"numeric": ["<", 0.2]}]}
    ),
    "wildcard is anchored": {"source": [{"wildcard": "ec2*"}]},
    "cidr": _pattern(**{"source-ip": [{"cidr": "10.0.1.0/24"}]}),
    "cidr on a value that is not an address": _pattern(state=[{"cidr": "10.0.0.0/8"}]),
    "true is not a string": _pattern(state=[True]),
    "false is not true": _pattern(enabled=[False]),
    "prefix of a number": _pattern(**{"c-count": [{"prefix": "5"}]}),
    "$or with no matching branch": _pattern(**{"$or": [{"c-count": [1]}, {"d-count": [1]}]}),
    "one field of two does not match": {"source": ["aws.ec2"], "detail": {"state": ["running"]}},
}

INVALID = {
    "not JSON": "{not json",
    "a scalar where an array belongs": json.dumps({"source": "aws.ec2"}),
    "an empty array": json.dumps({"source": []}),
    "an unknown operator": json.dumps({"source": [{"startswith": "aws"}]}),
    "a bad numeric operator": json.dumps({"detail": {"n": [{"numeric": ["~", 1]}]}}),
    "a numeric bound that is not a number": json.dumps(
        {"detail": {"n": [{"numeric": [">", "1"]}]}}
    ),
    "exists that is not a boolean": json.dumps({"detail": {"n": [{"exists": "yes"}]}}),
    "a bad cidr": json.dumps({"detail": {"ip": [{"cidr": "10.0.0.0/99"}]}}),
    "$or with one branch": json.dumps({"$or": [{"source": ["a"]}]}),
    "$or with a branch that is not an object": json.dumps({"$or": [{"source": ["a"]}, ["b"]]}),
    "an unknown operator in an $or branch": json.dumps(
        {"$or": [{"source": ["a"]}, {"source": [{"startswith": "b"}]}]}
    ),
    "two operators in one match": json.dumps({"source": [{"prefix": "a", "suffix": "b"}]}),
    "prefix of another operator": json.dumps({"source": [{"prefix": {"anything-but": "a"}}]}),
    "equals-ignore-case beside another key": json.dumps(
        {"source": [{"prefix": {"equals-ignore-case": "a", "suffix": "b"}}]}
    ),
    "anything-but a boolean": json.dumps({"source": [{"anything-but": [True]}]}),
    "anything-but of two operators": json.dumps(
        {"source": [{"anything-but": {"prefix": "a", "suffix": "b"}}]}
    ),
    "a match without an operator": json.dumps({"source": [{}]}),
    "anything-but of no operator": json.dumps({"source": [{"anything-but": {}}]}),
    "numeric bounds as an object": json.dumps({"detail": {"n": [{"numeric": {">": 1, "<": 5}}]}}),
    "equals-ignore-case of no value": json.dumps({"source": [{"equals-ignore-case": []}]}),
    "a wildcard that is not a string": json.dumps({"source": [{"wildcard": 5}]}),
}
