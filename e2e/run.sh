#!/usr/bin/env bash
# Browser tests of dvcid's pages (e2e/README.md): installs what they need on a fresh machine
# (Debian's Chromium and SoftHSM2, the pinned npm packages), builds dvcid and dvcid-agent, and
# runs every test file with Node's test runner. Each file starts its own `dvcid demo` from the
# binary in DVCID_BIN (and, for USB tokens, `dvcid-agent` from DVCID_AGENT_BIN).
# Screenshots and axe reports: e2e/test-results/. Extra arguments go to `node --test`
# (e.g. e2e/run.sh tests/02-signin-otp.test.js).
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ]; then
  echo "e2e/run.sh: installing Debian's chromium" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  # fonts-noto-core: the stylesheet's "Noto Sans", with every Vietnamese tone mark.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium fonts-noto-core
fi

# The signing agent's tests (USB-token sign-in) keep their keys on SoftHSM2 tokens.
if [ ! -e /usr/lib/softhsm/libsofthsm2.so ]; then
  echo "e2e/run.sh: installing Debian's softhsm2" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y softhsm2
fi

npm ci --no-audit --no-fund

echo "e2e/run.sh: building dvcid and dvcid-agent" >&2
(cd .. && cargo build -p dvcid -p agent --locked)
target_dir=$(cd .. && cargo metadata --format-version 1 --no-deps | node -e \
  'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
export DVCID_BIN="$target_dir/debug/dvcid"
export DVCID_AGENT_BIN="$target_dir/debug/dvcid-agent"

if [ "$#" -gt 0 ]; then
  exec node --test --test-concurrency=1 "$@"
fi
exec npm test --silent
