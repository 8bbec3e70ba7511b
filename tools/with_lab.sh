#!/usr/bin/env bash
# Runs one command as the control node of a lab of its own (state in /run/awslab-run-<pid>), started and stopped here.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export AWSLAB_HOME="/run/awslab-run-$$"
export PRIVNET_SSH_DIR="$root/build/labs/$$/ssh" ANSIBLE_SSH_CONTROL_PATH_DIR="/tmp/privnet-cp-$$"
mkdir -p "$PRIVNET_SSH_DIR" "$ANSIBLE_SSH_CONTROL_PATH_DIR"
.venv/bin/awslab up --port 4569
trap '.venv/bin/awslab down' EXIT
.venv/bin/awslab exec -- "$@"
