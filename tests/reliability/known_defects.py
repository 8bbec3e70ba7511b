"""Tests that fail today because of a defect they found, and why. `make test` leaves them out (`-m "not
known_defect"`) and says how many; `make reliability` runs them. Remove an entry with the fix of its defect."""

from __future__ import annotations

CHECK_MODE_ON_EMPTY = (
    "check mode on an empty account: the scenario playbooks index subnets that do not exist yet, the gateway playbook "
    "writes the demo object to a bucket check mode did not create, and the endpoint roles (gateway_endpoint, "
    "interface_endpoint, privatelink_*) have no predicted path when the VPC is not built yet (vpc_base and bastion do)")

KNOWN_DEFECTS: dict[str, str] = {
    "test_lifecycle_gateway_endpoint.py::test_check_mode_on_empty_account": CHECK_MODE_ON_EMPTY,
    "test_lifecycle_interface_endpoint.py::test_check_mode_on_empty_account": CHECK_MODE_ON_EMPTY,
    "test_lifecycle_privatelink.py::test_check_mode_on_empty_account": CHECK_MODE_ON_EMPTY,
    "test_bad_inputs_scenarios.py::test_bad_input_fails_before_any_change[interface_endpoint-playbook-unsupported "
    "service name]": (
        "playbooks/interface_endpoint_provision.yml learns that a service is not offered only in the role's "
        "validation, after the VPC and bastion are built (the service lookup needs the subnets)"),
}


def defect_of(nodeid: str) -> str | None:
    """The known defect a test id (or its parametrised family) stands for, if any."""
    for key, defect in KNOWN_DEFECTS.items():
        if nodeid.endswith(key) or f"/{key}[" in nodeid or nodeid.split("/")[-1].startswith(f"{key}["):
            return defect
    return None
