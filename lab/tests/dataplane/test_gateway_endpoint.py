"""Must show: `aws s3 ls` on the private instance fails before a gateway endpoint is on its route table, works after."""

from __future__ import annotations

from pathlib import Path

from scenario import instance_role, private_host, ssh, wait_endpoint

S3_LS = "AWS_MAX_ATTEMPTS=2 aws s3 ls --region ap-northeast-1 --cli-connect-timeout 3"


def test_s3_through_gateway_endpoint(clean_lab, tmp_path: Path) -> None:
    lab = clean_lab
    lab.client("s3").create_bucket(
        Bucket="privnet-gw-bucket", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
    )
    profile = instance_role(lab.client("iam"), "s3-reader", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    vpc, key, bastion, private = private_host(lab, tmp_path, "gw-key", profile=profile)

    before = ssh(key, private, S3_LS, jump=bastion)
    assert before.returncode != 0
    assert "Could not connect to the endpoint URL" in before.stderr

    ec2 = lab.client("ec2")
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc.vpc_id,
        VpcEndpointType="Gateway",
        ServiceName="com.amazonaws.ap-northeast-1.s3",
        RouteTableIds=[vpc.private_rt],
    )["VpcEndpoint"]
    assert wait_endpoint(ec2, endpoint["VpcEndpointId"])["State"] == "available"
    lab.converge()

    after = ssh(key, private, S3_LS, jump=bastion)
    assert after.returncode == 0, after.stderr
    assert "privnet-gw-bucket" in after.stdout
    lab.client("s3").put_object(Bucket="privnet-gw-bucket", Key="hello.txt", Body=b"hi")
    objects = ssh(key, private, S3_LS + " s3://privnet-gw-bucket", jump=bastion)  # bucket.s3.<region>.amazonaws.com
    assert "hello.txt" in objects.stdout, objects.stderr

    # the request carries the instance role's credentials: without S3 permissions, IAM denies it
    lab.client("iam").detach_role_policy(RoleName=profile, PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    denied = ssh(key, private, S3_LS, jump=bastion)
    assert denied.returncode != 0
    assert "AccessDenied" in denied.stderr, denied.stderr


def test_imds_v2_required_and_role_credentials(clean_lab, tmp_path: Path) -> None:
    lab = clean_lab
    profile = instance_role(lab.client("iam"), "imds-role", None)
    _vpc, key, bastion, private = private_host(lab, tmp_path, "imds-key", profile=profile)

    v1 = ssh(
        key,
        private,
        "curl -s -o /dev/null -w '%{http_code}' http://169.254.169.254/latest/meta-data/instance-id",
        jump=bastion,
    )
    assert v1.stdout == "401"
    script = (
        "T=$(curl -s -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token);"
        ' curl -s -H "X-aws-ec2-metadata-token: $T" http://169.254.169.254/latest/meta-data/iam/security-credentials/imds-role'
    )
    creds = ssh(key, private, script, jump=bastion)
    assert '"AccessKeyId"' in creds.stdout and '"Token"' in creds.stdout, creds.stderr
    identity = ssh(key, private, "aws sts get-caller-identity --region ap-northeast-1 --output text", jump=bastion)
    # STS is a public service: unreachable from a private subnet without an endpoint, as on AWS
    assert identity.returncode != 0
    assert "Could not connect to the endpoint URL" in identity.stderr
