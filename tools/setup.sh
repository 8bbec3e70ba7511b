#!/usr/bin/env bash
# Idempotent set-up: Debian packages the lab needs, .venv with the pinned toolchain, the lab package, and the
# link that lets Ansible find this checkout as privnet.aws.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

debian_packages=(openssh-server openssh-client nftables iproute2 util-linux mount passwd sudo rsync curl git ca-certificates)
missing=()
for pkg in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp=.venv/.requirements.sha256
wanted=$(cat requirements.txt lab/pyproject.toml 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "setup: building .venv from requirements.txt"
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements.txt
  if [ -f lab/pyproject.toml ]; then .venv/bin/pip install -q -e lab; fi
  echo "$wanted" > "$stamp"
fi

mkdir -p build/collections/ansible_collections/privnet
ln -sfn ../../../.. build/collections/ansible_collections/privnet/aws
echo "setup: ready (.venv, Debian packages, collection link build/collections/ansible_collections/privnet/aws)"
