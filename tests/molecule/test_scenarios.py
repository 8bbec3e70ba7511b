"""Every molecule scenario runs its full test sequence (create, converge, idempotence, verify, destroy)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted(p.parent.name for p in (ROOT / "molecule").glob("*/molecule.yml"))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario(scenario: str) -> None:
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "molecule"), "test", "-s", scenario], cwd=ROOT,
                            capture_output=True, text=True)
    log = ROOT / "build" / "test-results" / f"molecule-{scenario}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(result.stdout + result.stderr)
    assert result.returncode == 0, f"molecule test -s {scenario} failed; log: {log}\n{result.stdout[-4000:]}"
