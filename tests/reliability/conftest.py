"""Fixtures of the lifecycle tests: one scenario per test module (its module-level SCENARIO), run through its
playbooks against the lab the environment points at (`awslab exec --`), torn down by a finalizer even when a test
fails. The lab itself is never started or stopped here."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from known_defects import defect_of
from lifecycle import Lifecycle, Steps
from scenarios import Scenario
from support.journal import Journal


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "known_defect(reason): fails today because of the defect it names")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        defect = defect_of(item.nodeid)
        if defect:
            item.add_marker(pytest.mark.known_defect(defect))


@pytest.fixture(scope="session")
def lab() -> Journal:
    if not os.environ.get("AWS_ENDPOINT_URL"):
        pytest.fail("AWS_ENDPOINT_URL is not set: run these tests under `awslab exec --` (make test does)")
    return Journal()


@pytest.fixture(scope="module")
def life(request: pytest.FixtureRequest, lab: Journal,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lifecycle]:
    """The module's scenario, starting from an account without its project; torn down at the end in any case."""
    scenario: Scenario = request.module.SCENARIO
    lifecycle = Lifecycle(scenario, tmp_path_factory.mktemp(scenario.name), lab)
    if lifecycle.leftovers():
        lifecycle.teardown()
    yield lifecycle
    if not lifecycle.torn_down or lifecycle.leftovers():
        lifecycle.teardown()


@pytest.fixture(scope="module")
def steps(life: Lifecycle) -> Steps:
    return Steps(life)
