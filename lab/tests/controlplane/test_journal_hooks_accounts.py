"""The journal, mutation listeners, in-process state access, and two accounts side by side."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from awslab.controlplane import hooks
from awslab.controlplane.journal import Journal, summarize
from awslab.controlplane.state import LOCK, iter_backends

from .helpers import ACCOUNT_A, ACCOUNT_B, make_subnet, make_vpc, wait_for


def test_journal_records_every_call_with_its_outcome(lab: Any, ec2: Any) -> None:
    ec2.describe_vpcs()
    vpc_id = ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
    with pytest.raises(ClientError):
        ec2.delete_vpc(VpcId="vpc-00000000000000000")
    lab.client("sts", ACCOUNT_B).get_caller_identity()
    entries = lab.journal()
    assert [(e.service, e.action, e.mutating, e.status) for e in entries] == [
        ("ec2", "DescribeVpcs", False, 200),
        ("ec2", "CreateVpc", True, 200),
        ("ec2", "DeleteVpc", True, 400),
        ("sts", "GetCallerIdentity", False, 200),
    ]
    assert entries[2].error == "InvalidVpcID.NotFound"
    assert [e.account for e in entries] == [ACCOUNT_A, ACCOUNT_A, ACCOUNT_A, ACCOUNT_B]
    assert {e.region for e in entries} == {"ap-northeast-1"}
    assert all(e.latency_ms >= 0 for e in entries)
    assert vpc_id.startswith("vpc-")


def test_summary_counts_by_action_and_kind(lab: Any, ec2: Any) -> None:
    for _ in range(3):
        ec2.describe_vpcs()
    ec2.create_vpc(CidrBlock="10.71.0.0/16")
    with pytest.raises(ClientError):
        ec2.create_vpc(CidrBlock="10.71.0.0/16", DryRun=True)
    summary = summarize(lab.journal())
    assert summary["total"] == 5
    assert summary["by_kind"] == {"mutating": 2, "read": 3}
    assert summary["mutating_succeeded"] == 1
    assert summary["by_action"] == {"ec2:CreateVpc": 2, "ec2:DescribeVpcs": 3}
    assert summary["errors"] == {"DryRunOperation": 1}


def test_journal_file_positions_and_since(tmp_path: Any) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    fields = {"account": ACCOUNT_A, "region": "ap-northeast-1", "service": "ec2", "mutating": False,
              "status": 200, "error": None, "latency_ms": 1.0}
    journal.record(action="DescribeVpcs", **fields)
    mark = journal.position
    journal.record(action="DescribeSubnets", **fields)
    assert [e.action for e in journal.entries(since=mark)] == ["DescribeSubnets"]
    assert Journal(tmp_path / "journal.jsonl").position == 2


def test_listeners_hear_successful_mutations_and_transitions(lab: Any, ec2: Any) -> None:
    events: list[hooks.ApiEvent] = []
    hooks.add_mutation_listener(events.append)
    try:
        vpc_id = make_vpc(ec2, "10.72.0.0/16")
        subnet_id = make_subnet(ec2, vpc_id, "10.72.1.0/24")
        ec2.describe_vpcs()
        with pytest.raises(ClientError):
            ec2.delete_vpc(VpcId="vpc-00000000000000000")
        ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName="com.amazonaws.ap-northeast-1.sqs",
                                VpcEndpointType="Interface", SubnetIds=[subnet_id])
        wait_for(lambda: [e.action for e in events], lambda actions: "Transition:VpcEndpoint:available" in actions)
    finally:
        hooks.remove_mutation_listener(events.append)
    actions = [e.action for e in events]
    assert actions[:4] == ["CreateVpc", "ModifyVpcAttribute", "CreateSubnet", "CreateVpcEndpoint"]
    assert "DescribeVpcs" not in actions and "DeleteVpc" not in actions
    assert all(e.account == ACCOUNT_A and e.region == "ap-northeast-1" and e.service == "ec2" for e in events)


def test_a_failing_listener_does_not_break_the_api(lab: Any, ec2: Any) -> None:
    def broken(event: hooks.ApiEvent) -> None:
        raise RuntimeError("listener bug")

    hooks.add_mutation_listener(broken)
    try:
        assert ec2.create_vpc(CidrBlock="10.73.0.0/16")["Vpc"]["VpcId"]
    finally:
        hooks.remove_mutation_listener(broken)


def test_iter_backends_sees_every_account_and_region(lab: Any) -> None:
    lab.client("ec2", ACCOUNT_A).create_vpc(CidrBlock="10.74.0.0/16")
    lab.client("ec2", ACCOUNT_B, region="us-east-1").create_vpc(CidrBlock="10.75.0.0/16")
    with LOCK:
        found = {(account, region): backend for account, region, backend in iter_backends("ec2")}
    assert (ACCOUNT_A, "ap-northeast-1") in found
    assert (ACCOUNT_B, "us-east-1") in found
    cidrs = {vpc.cidr_block for vpc in found[(ACCOUNT_B, "us-east-1")].vpcs.values()}
    assert "10.75.0.0/16" in cidrs


def test_two_accounts_are_separate_and_identify_as_their_root(lab: Any) -> None:
    for account in (ACCOUNT_A, ACCOUNT_B):
        identity = lab.client("sts", account).get_caller_identity()
        assert identity["Account"] == account
        assert identity["Arn"] == f"arn:aws:iam::{account}:root"
    vpc_id = lab.client("ec2", ACCOUNT_A).create_vpc(CidrBlock="10.76.0.0/16")["Vpc"]["VpcId"]
    assert vpc_id not in [v["VpcId"] for v in lab.client("ec2", ACCOUNT_B).describe_vpcs()["Vpcs"]]
    assert lab.client("ec2", ACCOUNT_A).describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["OwnerId"] == ACCOUNT_A


def test_assume_role_into_the_second_account(lab: Any) -> None:
    iam_b = lab.client("iam", ACCOUNT_B)
    trust = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::'
             f'{ACCOUNT_A}:root"}},"Action":"sts:AssumeRole"}}]}}')
    role = iam_b.create_role(RoleName="provider-admin", AssumeRolePolicyDocument=trust)["Role"]
    credentials = lab.client("sts", ACCOUNT_A).assume_role(RoleArn=role["Arn"], RoleSessionName="lab")["Credentials"]
    import boto3

    assumed = boto3.client("sts", endpoint_url=lab.url, region_name="ap-northeast-1",
                           aws_access_key_id=credentials["AccessKeyId"],
                           aws_secret_access_key=credentials["SecretAccessKey"],
                           aws_session_token=credentials["SessionToken"])
    assert assumed.get_caller_identity()["Account"] == ACCOUNT_B


def test_reset_empties_state(lab: Any, ec2: Any) -> None:
    import requests

    vpc_id = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    assert requests.post(f"{lab.url}/moto-api/reset", timeout=30).status_code == 200
    assert vpc_id not in [vpc["VpcId"] for vpc in ec2.describe_vpcs()["Vpcs"]]


def test_journal_names_rest_and_json_protocol_calls(lab: Any) -> None:
    s3 = lab.client("s3")
    s3.create_bucket(Bucket="journal-bucket", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    s3.put_object(Bucket="journal-bucket", Key="a/b.txt", Body=b"payload")
    assert s3.get_object(Bucket="journal-bucket", Key="a/b.txt")["Body"].read() == b"payload"
    s3.list_objects_v2(Bucket="journal-bucket")
    s3.put_bucket_policy(Bucket="journal-bucket", Policy='{"Version":"2012-10-17","Statement":[]}')
    s3.delete_object(Bucket="journal-bucket", Key="a/b.txt")
    lab.client("dynamodb").list_tables()
    assert [(e.service, e.action, e.mutating) for e in lab.journal()] == [
        ("s3", "CreateBucket", True),
        ("s3", "PutObject", True),
        ("s3", "GetObject", False),
        ("s3", "ListObjectsV2", False),
        ("s3", "PutBucketPolicy", True),
        ("s3", "DeleteObject", True),
        ("dynamodb", "ListTables", False),
    ]


def test_an_action_moto_lacks_answers_500_and_is_journaled(lab: Any, ec2: Any) -> None:
    with pytest.raises(ClientError) as error:
        ec2.describe_capacity_block_offerings(CapacityDurationHours=24)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert error.value.response["Error"]["Code"] == "InternalError"
    assert [(e.action, e.status, e.error) for e in lab.journal()] == [
        ("DescribeCapacityBlockOfferings", 500, "InternalError")]
