#!/usr/bin/env bash
# The main job on the lab: start it, run every scenario that exists end to end (build, check from the private
# hosts through the bastion, tear down), print what the private hosts saw, stop the lab.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
awslab=.venv/bin/awslab
export ANSIBLE_COLLECTIONS_PATH="$root/build/collections"

# scenario playbook | teardown playbook | what it shows
scenarios=(
  "gateway_endpoint|gateway_endpoint_teardown|Scenario 1: S3 and DynamoDB through a gateway endpoint"
  "interface_endpoint|interface_endpoint_teardown|Scenario 2: SQS through an interface endpoint with private DNS"
  "privatelink|privatelink_teardown|Scenario 3: an application in VPC B through PrivateLink"
)

if [ ! -x "$awslab" ]; then
  echo "demo: the lab is not built yet (lab/, issue 3): nothing can run." >&2
  exit 1
fi

"$awslab" up || { echo "demo: the lab did not start" >&2; exit 1; }
trap '"$awslab" down' EXIT

status=0
ran=0
for entry in "${scenarios[@]}"; do
  IFS='|' read -r play teardown what <<<"$entry"
  echo
  echo "=== $what"
  if [ ! -f "playbooks/$play.yml" ]; then
    echo "not built yet: playbooks/$play.yml does not exist, so nothing was run for it."
    continue
  fi
  ran=$((ran + 1))
  if "$awslab" exec -- .venv/bin/ansible-playbook "playbooks/$play.yml" -e @tools/demo-lab-vars.yml; then
    echo "--- $play: passed (the check table above is what the private hosts saw)"
  else
    echo "--- $play: FAILED"
    status=1
  fi
  "$awslab" exec -- .venv/bin/ansible-playbook "playbooks/$teardown.yml" -e @tools/demo-lab-vars.yml || status=1
done
echo
echo "demo: $ran scenario(s) run, result: $([ $status -eq 0 ] && echo passed || echo FAILED)"
exit $status
