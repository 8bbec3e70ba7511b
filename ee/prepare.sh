#!/usr/bin/env bash
# Build this collection into build/ee/privnet-aws.tar.gz and write the EE build context (default build/ee/context).
# Usage: ee/prepare.sh [CONTEXT_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${root}/.venv/bin"
context="${1:-${root}/build/ee/context}"
dist="$(mktemp -d)"
trap 'rm -rf "${dist}"' EXIT

"${bin}/ansible-galaxy" collection build --output-path "${dist}" "${root}" >/dev/null
mkdir -p "${root}/build/ee"
mv -f "${dist}"/privnet-aws-*.tar.gz "${root}/build/ee/privnet-aws.tar.gz"
"${bin}/ansible-builder" create -f "${root}/ee/execution-environment.yml" --context "${context}"
echo "EE build context: ${context}"
