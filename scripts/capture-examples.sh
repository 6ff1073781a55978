#!/usr/bin/env bash
# Re-captures the lab captures shipped in examples/ (healthy, and misconfigured
# variants) with `hacheck facts --save`. Needs root and the lab's packages; it
# leaves the lab up and healthy. Review the diff before committing: captures are
# scrubbed of secrets (CIB passwords blanked on the node, BMC password never
# gathered), but a reviewer's eye is the last check.
set -euo pipefail
cd "$(dirname "$0")/.."
hacheck() { node bin/run.js "$@"; }
npm run build --silent
capture() { # name variants
  local name=$1 variants=$2
  hacheck lab up --variant "$variants" -q
  LAB_BMC_PASSWORD=$(hacheck lab status --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).env.LAB_BMC_PASSWORD))')
  export LAB_BMC_PASSWORD
  rm -rf "examples/$name"
  hacheck facts -i /var/lib/hacheck-lab/inventory.yaml --save "examples/$name" -q --log-file none
  if grep -rq -- "$LAB_BMC_PASSWORD" "examples/$name"; then
    echo "capture-examples: the BMC password leaked into examples/$name" >&2
    exit 3
  fi
}
capture lab-healthy healthy
capture lab-stonith-disabled stonith-disabled
capture lab-hb-public hb-public
hacheck lab up --variant healthy -q
echo "capture-examples: done; audit them with: hacheck audit --from examples/lab-healthy"
