"""The Amazon Linux 2023 public parameters resolve in every region to an AMI that exists in that region's EC2.

moto 5.2.5 ships them for most regions; for the few it lacks (ap-east-2, ap-southeast-6/7, mx-central-1, newer
ones) the lab registers an Amazon-owned-looking AL2023 image and publishes its id under the same names.
"""

from __future__ import annotations

from typing import Any

AL2023_PARAMETERS = {
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64": "x86_64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64": "arm64",
}


def _image_for(account_id: str, region: str, architecture: str) -> str:
    from moto.ec2.models import ec2_backends

    backend = ec2_backends[account_id][region]
    for ami in backend.amis.values():
        if (ami.name or "").startswith("al2023-ami-") and ami.architecture == architecture:
            return str(ami.id)
    ami = backend.register_image(name=f"al2023-ami-2023.lab-kernel-6.1-{architecture}",
                                 description="Amazon Linux 2023 (lab image)")
    ami.architecture = architecture
    ami.owner_alias = "amazon"
    ami.platform_details = "Linux/UNIX"
    return str(ami.id)


def install() -> None:
    from moto.ssm.models import Parameter, ParameterDict

    original = ParameterDict._load_latest_amis

    def _load_latest_amis(self: Any) -> None:
        original(self)
        for name, architecture in AL2023_PARAMETERS.items():
            if dict.__contains__(self, name):
                continue
            value = _image_for(self.account_id, self.region_name, architecture)
            super(ParameterDict, self).__getitem__(name).append(Parameter(
                account_id=self.account_id, name=name, value=value, parameter_type="String", description=None,
                allowed_pattern=None, keyid=None, last_modified_date=1735689600.0, version=1,  # type: ignore[arg-type]
                data_type="aws:ec2:image",
            ))

    ParameterDict._load_latest_amis = _load_latest_amis
