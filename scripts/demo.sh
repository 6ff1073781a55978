#!/usr/bin/env bash
# `npm run demo`: everything a new user needs to see hacheck work, on a fresh
# machine: npm packages, build, Debian packages, the built-in lab, an audit of it.
# Without root (or off Linux) it audits the shipped capture of the lab instead.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
if [ ! -f oclif.manifest.json ] || [ -n "$(find src schemas checklists -newer oclif.manifest.json -print -quit)" ]; then
  npm run build --silent
fi
hacheck() { node bin/run.js "$@"; }

if [ "$(uname -s)" != Linux ] || [ "$(id -u)" -ne 0 ]; then
  echo "demo: the lab needs root on Linux; auditing the shipped capture of the lab instead (no SSH, no root)."
  set +e
  hacheck audit --from examples/lab-healthy
  echo "demo: audit exit code $? (0 pass, 1 findings failed, 3 could not complete)"
  exit 0
fi

bash scripts/install-deps.sh
hacheck lab up
LAB_BMC_PASSWORD=$(hacheck lab status --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).env.LAB_BMC_PASSWORD))')
export LAB_BMC_PASSWORD
inv=$(hacheck lab status --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).inventory))')
echo
echo "demo: hacheck audit -i $inv"
set +e
hacheck audit -i "$inv"
rc=$?
set -e
cat <<MSG

demo: audit exit code $rc (0 pass, 1 findings failed, 2 invalid input, 3 could not complete).
Next steps on the same lab:
  export LAB_BMC_PASSWORD=\$(hacheck lab status --json | jq -r .env.LAB_BMC_PASSWORD)
  node bin/run.js lab up --variant stonith-disabled && node bin/run.js audit -i $inv   # see item 2 fail
  node bin/run.js chaos link-pull -i $inv --node n1 --network heartbeat --duration 30s --load http://198.18.2.100/ --yes
  node bin/run.js lab down
MSG
