"""A job's inventory under AWX is a script in the private data dir; ansible-playbook runs in the project directory,
so the project's ansible.cfg decides which inventory plugins may read it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from subprocess import run

from awx_support import BIN, ROOT, base_env

SNAPSHOT = {"_meta": {"hostvars": {"privnet-base-private-1": {"ansible_host": "10.0.128.4"}}},
            "all": {"children": ["ungrouped", "private"], "vars": {"ansible_ssh_pipelining": True}},
            "private": {"hosts": ["privnet-base-private-1"]}}


def test_project_config_lets_jobs_read_awx_inventory_script(tmp_path: Path) -> None:
    script = tmp_path / "inventory" / "hosts"
    script.parent.mkdir()
    script.write_text(f"#!{sys.executable}\nprint({json.dumps(SNAPSHOT)!r})\n")
    script.chmod(0o700)
    env = {key: value for key, value in base_env().items() if key not in ("ANSIBLE_INVENTORY_ENABLED",)}
    completed = run([str(BIN / "ansible-inventory"), "-i", str(script.parent), "--list"], capture_output=True,
                    text=True, cwd=ROOT, env=env)
    listed = json.loads(completed.stdout) if completed.returncode == 0 and completed.stdout.strip() else {}
    assert "privnet-base-private-1" in listed.get("private", {}).get("hosts", []), (
        "with the project's ansible.cfg, ansible-playbook cannot read AWX's inventory script "
        "([inventory] enable_plugins must include ansible.builtin.script):\n" + completed.stderr[-2000:])
