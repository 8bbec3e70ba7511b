"""Pure comparison helpers: semantic policies, id sets, tags, client tokens."""

from __future__ import annotations

import json

import pytest
from ansible_collections.privnet.aws.plugins.module_utils._endpoint_compare import (
    PolicyError,
    apply_set_changes,
    client_token,
    load_policy,
    policy_changed,
    set_changes,
    tag_changes,
)

BASE = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "a", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"},
        {"Sid": "b", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:DeleteObject", "Resource": "*"},
    ],
}


@pytest.mark.parametrize(
    "same",
    [
        json.dumps(BASE),
        json.dumps(BASE, indent=4, sort_keys=True),
        {"Version": "2012-10-17", "Statement": list(reversed(BASE["Statement"]))},
        {
            "Version": "2012-10-17",
            "Statement": [
                dict(BASE["Statement"][0], Action=["s3:ListBucket", "s3:GetObject"]),
                dict(BASE["Statement"][1], Action=["s3:DeleteObject"], Principal="*"),
            ],
        },
    ],
)
def test_policies_that_mean_the_same_are_equal(same):
    assert policy_changed(json.dumps(BASE), same) is False


@pytest.mark.parametrize(
    "different",
    [
        {"Version": "2012-10-17", "Statement": BASE["Statement"][:1]},
        {"Version": "2012-10-17", "Statement": [dict(BASE["Statement"][0], Effect="Deny"), BASE["Statement"][1]]},
        {"Version": "2012-10-17", "Statement": [dict(BASE["Statement"][0], Action="s3:*"), BASE["Statement"][1]]},
    ],
)
def test_policies_that_differ_are_detected(different):
    assert policy_changed(json.dumps(BASE), different) is True


def test_missing_version_equals_the_default_version():
    statement = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
    stored = json.dumps({"Version": "2008-10-17", "Statement": [statement]})
    assert policy_changed(stored, {"Statement": [statement]}) is False


@pytest.mark.parametrize("bad", ["not json", "[1, 2]", 42])
def test_invalid_policies_raise(bad):
    with pytest.raises(PolicyError):
        load_policy(bad)


def test_set_changes_replace_and_additive():
    assert set_changes(["a", "b"], ["b", "c"]) == (["c"], ["a"])
    assert set_changes(["a", "b"], ["b", "c"], purge=False) == (["c"], [])
    assert set_changes(["a"], None) == ([], [])
    assert set_changes(["b", "a"], ["a", "b", "a"]) == ([], [])
    assert apply_set_changes(["a", "b"], ["c"], ["a"]) == ["b", "c"]


def test_tag_changes_keep_aws_tags_and_respect_purge():
    current = {"Name": "x", "old": "1", "aws:cloudformation:stack-name": "s"}
    assert tag_changes(current, {"Name": "y"}, True) == ({"Name": "y"}, ["old"])
    assert tag_changes(current, {"Name": "y"}, False) == ({"Name": "y"}, [])
    assert tag_changes(current, None, True) == ({}, [])
    assert tag_changes({"n": "1"}, {"n": 1}, True) == ({}, [])


def test_client_token_is_deterministic_bounded_and_sensitive():
    identity = {"vpc_id": "vpc-1", "service_name": "s"}
    first = client_token("vpc-endpoint", identity, {"SubnetIds": ["a"]})
    assert first == client_token("vpc-endpoint", dict(reversed(list(identity.items()))), {"SubnetIds": ["a"]})
    assert len(first) <= 64
    assert first.isascii()
    assert first != client_token("vpc-endpoint", identity, {"SubnetIds": ["b"]})
    assert first != client_token("vpc-endpoint", identity, {"SubnetIds": ["a"]}, salt=["vpce-gone"])
    assert first != client_token("vpc-endpoint-service", identity, {"SubnetIds": ["a"]})
