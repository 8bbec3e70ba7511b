"""Pure pieces: nftables rulesets, the VPC resolver's lookups, the IMDS request logic (no root needed)."""

from __future__ import annotations

import json

from dnslib import QTYPE, RCODE, DNSRecord

from awslab.dataplane import dns, imds
from awslab.dataplane.render import host_ruleset, router_ruleset
from awslab.dataplane.topology import Firewall, FwRule, HostNode, InstanceNode, RouterNode, SubnetNode


def _router() -> RouterNode:
    return RouterNode(
        "vpc-a",
        "awslab-x-r-vpc-a",
        "198.19.130.2",
        ("10.0.0.2",),
        (
            SubnetNode("subnet-pub", "bpub", "10.0.1.0/24", "10.0.1.1", True, False, ()),
            SubnetNode("subnet-priv", "bpriv", "10.0.2.0/24", "10.0.2.1", False, False, ("198.19.255.10/32",)),
        ),
        (("198.18.5.6", "10.0.1.10"),),
    )


def test_router_ruleset_maps_public_ips_and_rejects_what_no_route_allows() -> None:
    rules = router_ruleset(_router())
    assert 'iifname "up0" ip daddr 198.18.5.6 dnat to 10.0.1.10' in rules
    assert 'oifname "up0" ip saddr 10.0.1.10 snat to 198.18.5.6' in rules
    assert 'iifname "bpub" oifname "up0" ip saddr { 10.0.1.10/32 } accept' in rules
    assert 'iifname "bpriv" oifname "up0" ip daddr { 198.19.255.10/32 } accept' in rules
    assert 'iifname "bpriv" reject with icmp type net-unreachable' in rules
    assert 'iifname "bpriv" oifname "up0" accept' not in rules
    assert "policy drop" in rules


def test_host_ruleset_is_default_deny_and_stateful() -> None:
    firewall = Firewall(
        ingress=(FwRule("tcp", 22, 22, ("10.0.1.10/32",)), FwRule("tcp", 1000, 2000, ("10.0.0.0/16", "10.0.3.0/24"))),
        egress=(FwRule("all", None, None, ("0.0.0.0/0",)),),
    )
    rules = host_ruleset(firewall, "10.0.0.2")
    assert "ip saddr { 10.0.1.10/32 } tcp dport 22 accept" in rules
    assert "ip saddr { 10.0.0.0/16 } tcp dport 1000-2000 accept" in rules  # collapsed
    assert "ct state established,related accept" in rules
    assert rules.count("policy drop") == 2
    assert "    meta nfproto ipv4 accept" in rules  # 0.0.0.0/0 means no address match


def test_dns_answers_exact_and_wildcard_names_and_nxdomain_otherwise() -> None:
    zone = {"sqs.ap-northeast-1.amazonaws.com": ("10.0.2.50",), "*.s3.ap-northeast-1.amazonaws.com": ("198.19.255.10",)}
    reply = DNSRecord.parse(dns.answer(zone, DNSRecord.question("SQS.ap-northeast-1.amazonaws.com").pack()) or b"")
    assert [str(rr.rdata) for rr in reply.rr] == ["10.0.2.50"]
    bucket = DNSRecord.parse(dns.answer(zone, DNSRecord.question("b.s3.ap-northeast-1.amazonaws.com").pack()) or b"")
    assert [str(rr.rdata) for rr in bucket.rr] == ["198.19.255.10"]
    missing = DNSRecord.parse(dns.answer(zone, DNSRecord.question("example.com").pack()) or b"")
    assert missing.header.rcode == RCODE.NXDOMAIN
    v6 = DNSRecord.parse(dns.answer(zone, DNSRecord.question("sqs.ap-northeast-1.amazonaws.com", "AAAA").pack()) or b"")
    assert v6.header.rcode == RCODE.NOERROR and not v6.rr and v6.q.qtype == QTYPE.AAAA


def _state(tokens: str) -> imds.ImdsState:
    host = HostNode("ns", "instance", "i-1", "r", "b", "10.0.2.20", 24, "10.0.2.1", None)
    node = InstanceNode(
        host,
        "i-1",
        "111111111111",
        "ap-northeast-1",
        "ip-10-0-2-20.ap-northeast-1.compute.internal",
        "10.0.0.2",
        None,
        "ssh-ed25519 AAA",
        b"#!/bin/sh\necho hi\n",
        tokens,
        "enabled",
        "arn:aws:iam::111111111111:role/app",
        "ap-northeast-1a",
        "ami-1",
        "t3.micro",
        "k",
        "02:00",
        "vpc-a",
        "subnet-priv",
    )
    return imds.ImdsState(node, lambda _n: {"AccessKeyId": "ASIA", "Token": "t"})


def test_imds_v2_required_refuses_tokenless_requests() -> None:
    state = _state("required")
    assert imds.respond(state, "GET", "/latest/meta-data/instance-id", {})[0] == 401
    status, token = imds.respond(state, "PUT", "/latest/api/token", {"x-aws-ec2-metadata-token-ttl-seconds": "60"})
    assert status == 200
    assert imds.respond(state, "GET", "/latest/meta-data/instance-id", {"x-aws-ec2-metadata-token": token}) == (
        200,
        "i-1",
    )
    assert imds.respond(state, "GET", "/latest/meta-data/instance-id", {"x-aws-ec2-metadata-token": "bad"})[0] == 401
    assert imds.respond(state, "PUT", "/latest/api/token", {"x-aws-ec2-metadata-token-ttl-seconds": "0"})[0] == 400


def test_imds_optional_serves_v1_and_role_credentials() -> None:
    state = _state("optional")
    assert imds.respond(state, "GET", "/latest/meta-data/iam/security-credentials/", {}) == (200, "app")
    status, body = imds.respond(state, "GET", "/latest/meta-data/iam/security-credentials/app", {})
    assert status == 200 and json.loads(body)["AccessKeyId"] == "ASIA"
    assert imds.respond(state, "GET", "/latest/meta-data/placement/region", {}) == (200, "ap-northeast-1")
    assert imds.respond(state, "GET", "/latest/user-data", {}) == (200, "#!/bin/sh\necho hi\n")
    assert json.loads(imds.respond(state, "GET", "/latest/dynamic/instance-identity/document", {})[1])["accountId"] == (
        "111111111111"
    )
