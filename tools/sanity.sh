#!/usr/bin/env bash
# Runs `ansible-test sanity` (every test, no ignore entries) on exactly what the collection ships: the artifact of
# `ansible-galaxy collection build`, unpacked as ansible_collections/privnet/aws/ (ansible-test refuses symlinks),
# with amazon.aws and community.aws beside it for doc fragments and module_utils.
#
# ansible-test builds one venv per sanity test and bootstraps pip in it with a get-pip script it downloads from a
# host this machine cannot reach. We pre-seed its cache with a script that uses the interpreter's own ensurepip
# and then upgrades to the requested pip from PyPI with the system CA bundle (ansible-test sets
# PIP_CONFIG_FILE=/dev/null, so pip's configuration cannot carry the certificate).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"
work="$root/build/sanity"
home="$root/build/ansible-test-home"
ca_bundle=${SANITY_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
python_version=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

pip_version=$("$venv/bin/python" - <<'PY'
import sys, types
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(types.SimpleNamespace(version="%d.%d" % sys.version_info[:2]))["pip"])
PY
)

cache="$home/.ansible/test/cache"
mkdir -p "$cache"
cat > "$cache/get_pip_${pip_version//./_}.py" <<PY
# Offline stand-in for get-pip.py, written by tools/sanity.sh.
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.run([sys.executable, "-m", "ensurepip", "--upgrade"], check=True, stdout=subprocess.DEVNULL)
subprocess.run([sys.executable, "-m", "pip", "install", "--upgrade", "--cert", "$ca_bundle", *args], check=True)
PY

rm -rf "$work"
dest="$work/ansible_collections/privnet/aws"
mkdir -p "$dest" "$work/dist"
"$venv/bin/ansible-galaxy" collection build --output-path "$work/dist" "$root" >/dev/null
tar -xzf "$work"/dist/privnet-aws-*.tar.gz -C "$dest"
# The copy lives inside this checkout's ignored build/ folder: give it a repository of its own, or ansible-test asks
# the outer one which files exist and finds none.
git -C "$dest" init -q
echo "tests/output/" >> "$dest/.git/info/exclude"
git -C "$dest" add -A

site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"] + "/ansible_collections")')
for dep in amazon/aws community/aws; do
  mkdir -p "$work/ansible_collections/$dep"
  rsync -a "$site/$dep/" "$work/ansible_collections/$dep/"
done

cd "$dest"
HOME="$home" PATH="$venv/bin:$PATH" "$venv/bin/ansible-test" sanity --venv --python "$python_version" \
  --color no "$@"
