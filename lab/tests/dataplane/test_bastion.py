"""Must show: bastion + private instance; SSH through the bastion works, direct does not; no internet from private."""

from __future__ import annotations

from pathlib import Path

from scenario import key_pair, make_vpc, run_instance, ssh, wait_ssh


def test_ssh_through_bastion_only(clean_lab, tmp_path: Path) -> None:
    lab = clean_lab
    ec2 = lab.client("ec2")
    vpc = make_vpc(ec2)
    key_name, key = key_pair(ec2, tmp_path)
    bastion = run_instance(ec2, vpc.public_subnet, [vpc.sg_bastion], key_name, public=True)
    private = run_instance(ec2, vpc.private_subnet, [vpc.sg_private], key_name)
    lab.converge()
    public_ip = bastion["PublicIpAddress"]
    private_ip = private["PrivateIpAddress"]

    assert wait_ssh(key, public_ip).returncode == 0
    through = wait_ssh(key, private_ip, jump=public_ip)
    assert through.returncode == 0, through.stderr
    hostname = ssh(key, private_ip, "hostname", jump=public_ip)
    assert hostname.stdout.strip() == f"ip-{private_ip.replace('.', '-')}.ap-northeast-1.compute.internal"

    direct = ssh(key, private_ip, "true", timeout=30)
    assert direct.returncode != 0

    internet = ssh(key, private_ip, "curl -sS -m 5 http://www.internet.test/", jump=public_ip)
    assert internet.returncode != 0
    from_bastion = ssh(key, public_ip, "curl -sS -m 5 http://www.internet.test/")
    assert from_bastion.stdout == "awslab internet test host\n", from_bastion.stderr
    seen_as = ssh(key, public_ip, "curl -sS -m 5 http://www.internet.test/ip")
    assert seen_as.stdout == f"{public_ip}\n"  # 1:1 NAT: the internet sees the public IP


def test_nat_gateway_gives_a_private_instance_outbound_internet(clean_lab, tmp_path: Path) -> None:
    import time

    from scenario import private_host

    lab = clean_lab
    ec2 = lab.client("ec2")
    vpc, key, bastion, private = private_host(lab, tmp_path, "nat-key")
    curl = "curl -sS -m 5 http://www.internet.test/"
    assert ssh(key, private, curl, jump=bastion).returncode != 0

    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=vpc.public_subnet, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    deadline = time.monotonic() + 30
    while ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]["State"] != "available":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    ec2.create_route(RouteTableId=vpc.private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    lab.converge()
    through_nat = ssh(key, private, curl, jump=bastion)
    assert through_nat.stdout == "awslab internet test host\n", through_nat.stderr
    eip = ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]["NatGatewayAddresses"][0]["PublicIp"]
    seen_as = ssh(key, private, "curl -sS -m 5 http://www.internet.test/ip", jump=bastion)
    assert seen_as.stdout == f"{eip}\n"
