"""The built collection artifact: right name, only collection content, modules documented."""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml
from ansible.module_utils.compat.version import LooseVersion

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
NOT_CONTENT = ("lab/", "bench/", "awx/", "ee/", ".venv/", "tests/output/", "build/", "tools/", "molecule/", ".git/",
               "tests/awx/", "tests/roles/", "tests/molecule/", "tests/collection/", "tests/support/",
               "tests/reliability/", "tests/conftest.py", "collections/")


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    return out / f"{galaxy['namespace']}-{galaxy['name']}-{galaxy['version']}.tar.gz"


def test_artifact_is_named_after_galaxy_yml(artifact: Path) -> None:
    assert artifact.name == "privnet-aws-0.1.0.tar.gz"
    assert artifact.is_file()


def test_artifact_holds_only_collection_content(artifact: Path) -> None:
    with tarfile.open(artifact) as tar:
        names = tar.getnames()
    assert "MANIFEST.json" in names and "meta/runtime.yml" in names
    leaked = [n for n in names if any(n == p.rstrip("/") or n.startswith(p) for p in NOT_CONTENT)]
    assert leaked == []


def test_dependencies_match_pinned_collections() -> None:
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    installed = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "list", "--format", "json"],
                               check=True, capture_output=True, text=True).stdout
    versions = {name: info["version"] for path in json.loads(installed).values() for name, info in path.items()}
    for name, spec in galaxy["dependencies"].items():
        low, high = (part.strip().lstrip(">=<") for part in spec.split(","))
        assert LooseVersion(low) <= LooseVersion(versions[name]) < LooseVersion(high), (name, versions[name], spec)


def test_ansible_doc_lists_every_module() -> None:
    modules = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(ROOT / "build" / "collections")}
    listed = subprocess.run([str(BIN / "ansible-doc"), "-t", "module", "-l", "privnet.aws", "-j"],
                            check=True, capture_output=True, text=True, env=env, cwd=ROOT).stdout
    assert sorted(name.split(".")[-1] for name in json.loads(listed)) == modules
    assert modules, "the collection has no modules yet"
