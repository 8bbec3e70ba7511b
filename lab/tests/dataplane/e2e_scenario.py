"""Run as the control node (`awslab exec -- python e2e_scenario.py DIR`): a VPC with a bastion; prints JSON."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import boto3
from scenario import key_pair, make_vpc, run_instance

ec2 = boto3.client("ec2")
vpc = make_vpc(ec2, "10.9.0.0/16")
key_name, key = key_pair(ec2, Path(sys.argv[1]), "e2e-key")
bastion = run_instance(
    ec2, vpc.public_subnet, [vpc.sg_bastion], key_name, public=True, user_data="#!/bin/sh\necho booted-by-user-data\n"
)
time.sleep(0.1)
print(json.dumps({"public_ip": bastion["PublicIpAddress"], "key": str(key), "instance_id": bastion["InstanceId"]}))
