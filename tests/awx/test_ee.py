"""The execution environment definition: ansible-builder makes a build context that holds this collection, its
galaxy stage installs offline from that context, and the pins match the repository's toolchain."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import tarfile
from pathlib import Path
from types import ModuleType

import ansible_builder
import pytest
import yaml
from awx_support import BIN, ROOT, base_env

EE_FILE = ROOT / "ee" / "execution-environment.yml"
COLLECTION_IN_CONTEXT = Path("_build") / "collections" / "privnet-aws.tar.gz"


def pinned(requirements: Path) -> dict[str, str]:
    pins = {}
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.split("[")[0].strip().lower()] = version.strip()
    return pins


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("ee") / "context"
    subprocess.run(["bash", str(ROOT / "ee" / "prepare.sh"), str(target)], check=True, capture_output=True,
                   text=True, env=base_env(), cwd=ROOT)
    return target


@pytest.fixture(scope="module")
def galaxy_stage(context: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the image's galaxy stage does (`ansible-galaxy collection install -r requirements.yml` in /build), here
    offline: amazon.aws and community.aws must be satisfied by the pinned versions already installed."""
    destination = tmp_path_factory.mktemp("galaxy")
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--offline", "-r", "requirements.yml",
                    "--collections-path", str(destination)], check=True, capture_output=True, text=True,
                   cwd=context / "_build", env=galaxy_env(destination))
    return destination / "ansible_collections"


def galaxy_env(destination: Path) -> dict[str, str]:
    """As in an image build or AWX's project update: only the destination is a configured collection path (the
    installed ansible package's collections stand in for what the base image or EE already has)."""
    return {**base_env(), "ANSIBLE_COLLECTIONS_PATH": str(destination)}


def introspect() -> ModuleType:
    path = Path(ansible_builder.__file__).parent / "_target_scripts" / "introspect.py"
    spec = importlib.util.spec_from_file_location("ansible_builder_introspect", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ansible_builder_create_succeeds(context: Path) -> None:
    containerfile = next(p for p in (context / "Containerfile", context / "Dockerfile") if p.exists())
    text = containerfile.read_text()
    assert "ansible-galaxy collection install" in text and "requirements.yml" in text
    assert "ansible-core==2.19.14" in text


def test_context_contains_the_collection(context: Path) -> None:
    artifact = context / COLLECTION_IN_CONTEXT
    with tarfile.open(artifact) as tar:
        manifest = json.load(tar.extractfile("MANIFEST.json"))  # type: ignore[arg-type]
        names = tar.getnames()
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    info = manifest["collection_info"]
    assert (info["namespace"], info["name"], info["version"]) == (galaxy["namespace"], galaxy["name"],
                                                                  galaxy["version"])
    assert "meta/execution-environment.yml" in names and "meta/runtime.yml" in names


def test_galaxy_stage_installs_the_collection_and_pinned_dependencies(galaxy_stage: Path) -> None:
    assert (galaxy_stage / "privnet" / "aws" / "MANIFEST.json").exists()
    requirements = yaml.safe_load((ROOT / "ee" / "requirements.yml").read_text())["collections"]
    pins = {entry["name"]: entry["version"] for entry in requirements if "version" in entry}
    assert pins == {"amazon.aws": "10.1.2", "community.aws": "10.0.0"}


def test_collection_declares_its_ee_dependencies(galaxy_stage: Path) -> None:
    python, system = introspect().process_collection(str(galaxy_stage / "privnet" / "aws"))
    assert {line.split(">")[0].split("=")[0].strip() for line in python} >= {"boto3", "botocore"}
    assert any(line.startswith("openssh-client") for line in system)


def test_ee_python_pins_match_the_toolchain() -> None:
    toolchain = pinned(ROOT / "requirements.txt")
    ee_pins = pinned(ROOT / "ee" / "requirements.txt")
    assert set(ee_pins) == {"boto3", "botocore", "awscli"}
    assert all(toolchain[name] == version for name, version in ee_pins.items())
    definition = yaml.safe_load(EE_FILE.read_text())
    assert definition["version"] == 3
    assert definition["dependencies"]["ansible_core"]["package_pip"] == f"ansible-core=={toolchain['ansible-core']}"
    assert definition["dependencies"]["ansible_runner"]["package_pip"] == (
        f"ansible-runner=={toolchain['ansible-runner']}")
    assert "openssh-client" in (ROOT / "ee" / "bindep.txt").read_text()


def test_project_requirements_install_this_repo_with_pinned_dependencies(tmp_path: Path) -> None:
    """An AWX project sync: `ansible-galaxy collection install -r collections/requirements.yml` from the project
    root (offline here, so the pinned versions must be the installed ones)."""
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--offline", "-r",
                    "collections/requirements.yml", "--collections-path", str(tmp_path)], check=True,
                   capture_output=True, text=True, cwd=ROOT, env=galaxy_env(tmp_path))
    manifest = json.loads((tmp_path / "ansible_collections" / "privnet" / "aws" / "MANIFEST.json").read_text())
    assert manifest["collection_info"]["name"] == "aws"
    requirements = yaml.safe_load((ROOT / "collections" / "requirements.yml").read_text())["collections"]
    assert requirements[0] == {"name": "./", "type": "dir"}
    ee_requirements = yaml.safe_load((ROOT / "ee" / "requirements.yml").read_text())["collections"]
    assert requirements[1:] == ee_requirements[1:]
