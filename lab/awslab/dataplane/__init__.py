"""The lab's data plane: VPCs, instances, endpoints and PrivateLink as Linux network namespaces.

Entry points used by the control plane (see LAB_CONTRACT): network_supported, DataPlane, register_cli.
"""

from awslab.dataplane.cli import register_cli
from awslab.dataplane.plane import DataPlane
from awslab.dataplane.safety import network_supported
from awslab.dataplane.topology import Topology, desired_topology

__all__ = ["DataPlane", "Topology", "desired_topology", "network_supported", "register_cli"]
