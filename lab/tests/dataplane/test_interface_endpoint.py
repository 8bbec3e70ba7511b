"""Must show: the seed's SQS command works through an interface endpoint with private DNS, and fails with private
DNS disabled or without a 443 rule on the endpoint's security group."""

from __future__ import annotations

from pathlib import Path

from scenario import instance_role, private_host, ssh, wait_endpoint

SQS = (
    "AWS_MAX_ATTEMPTS=1 aws sqs list-queues --region ap-northeast-1 --endpoint-url https://sqs.ap-northeast-1.amazonaws.com"
    " --cli-connect-timeout 3 --output text"
)
RULE_443 = [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]


def test_sqs_through_interface_endpoint(clean_lab, tmp_path: Path) -> None:
    lab = clean_lab
    queue_url = lab.client("sqs").create_queue(QueueName="privnet-queue")["QueueUrl"]
    profile = instance_role(lab.client("iam"), "sqs-user", "arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    vpc, key, bastion, private = private_host(lab, tmp_path, "if-key", profile=profile)
    ec2 = lab.client("ec2")
    sg = ec2.create_security_group(GroupName="endpoint", Description="endpoint", VpcId=vpc.vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=RULE_443)

    before = ssh(key, private, SQS, jump=bastion)
    assert before.returncode != 0
    assert "Could not connect to the endpoint URL" in before.stderr

    endpoint_id = ec2.create_vpc_endpoint(
        VpcId=vpc.vpc_id,
        VpcEndpointType="Interface",
        ServiceName="com.amazonaws.ap-northeast-1.sqs",
        SubnetIds=[vpc.private_subnet],
        SecurityGroupIds=[sg],
        PrivateDnsEnabled=True,
    )["VpcEndpoint"]["VpcEndpointId"]
    endpoint = wait_endpoint(ec2, endpoint_id)
    assert endpoint["State"] == "available"
    lab.converge()

    works = ssh(key, private, SQS, jump=bastion)
    assert works.returncode == 0, works.stderr
    assert "privnet-queue" in works.stdout
    eni_ip = ec2.describe_network_interfaces(NetworkInterfaceIds=endpoint["NetworkInterfaceIds"])["NetworkInterfaces"][
        0
    ]["PrivateIpAddress"]
    resolved = ssh(key, private, "getent hosts sqs.ap-northeast-1.amazonaws.com", jump=bastion)
    assert resolved.stdout.split()[0] == eni_ip
    tls = ssh(
        key, private, "curl -sS -o /dev/null -w '%{http_code}' https://sqs.ap-northeast-1.amazonaws.com/", jump=bastion
    )
    assert tls.returncode == 0, tls.stderr  # the instance's trust store has the lab CA

    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, PrivateDnsEnabled=False)
    lab.converge()
    no_private_dns = ssh(key, private, SQS, jump=bastion)
    assert no_private_dns.returncode != 0
    assert "Could not connect to the endpoint URL" in no_private_dns.stderr

    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, PrivateDnsEnabled=True)
    lab.converge()
    assert ssh(key, private, SQS, jump=bastion).returncode == 0

    ec2.revoke_security_group_ingress(GroupId=sg, IpPermissions=RULE_443)
    lab.converge()
    no_rule = ssh(key, private, SQS, jump=bastion)
    assert no_rule.returncode != 0
    assert "privnet-queue" not in no_rule.stdout
    assert queue_url
