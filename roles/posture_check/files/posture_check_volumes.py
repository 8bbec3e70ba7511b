# Copyright: privnet.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads the encryption of the volumes attached to some instances, with boto3 (on the controller).

The role uses it only when amazon.aws.ec2_vol_info cannot parse the answer. Input on stdin (never on the command
line: it carries credentials): {"region", "instance_ids", "credentials": {access_key, secret_key, session_token,
profile}}. Output: {"volumes": [{"id", "encrypted"}]}. The endpoint comes from the environment (AWS_ENDPOINT_URL).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import boto3


def volumes(request: dict[str, Any]) -> list[dict[str, Any]]:
    credentials = request.get("credentials") or {}
    session = boto3.session.Session(
        aws_access_key_id=credentials.get("access_key"), aws_secret_access_key=credentials.get("secret_key"),
        aws_session_token=credentials.get("session_token"), profile_name=credentials.get("profile"))
    ec2 = session.client("ec2", region_name=request["region"])
    pages = ec2.get_paginator("describe_volumes").paginate(
        Filters=[{"Name": "attachment.instance-id", "Values": request["instance_ids"]}])
    return [{"id": v["VolumeId"], "encrypted": v.get("Encrypted", False)} for page in pages for v in page["Volumes"]]


if __name__ == "__main__":
    print(json.dumps({"volumes": volumes(json.loads(sys.stdin.read()))}))
