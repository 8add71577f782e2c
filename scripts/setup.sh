#!/usr/bin/env bash
# Install everything kora-audit needs on a fresh machine: pnpm, the workspace's packages
# (from the committed lockfile) and the system packages its tests drive.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

if ! command -v pnpm >/dev/null 2>&1 || ! pnpm --version | grep -q '^10\.'; then
  npm i -g pnpm@10
fi
pnpm install --frozen-lockfile
# Every package's dist/, among them the kora-audit executable that `pnpm kora-audit` runs.
pnpm build

# The operator page is tested in a real headless browser (Debian's Chromium), the MCP
# server with curl as a client written by nobody here, and rotation with the real logrotate;
# `pnpm bench` compares the reader with jq and takes peak memory with GNU time.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/logrotate ] || missing+=(logrotate)
command -v curl >/dev/null 2>&1 || missing+=(curl)
[ -x /usr/bin/jq ] || missing+=(jq)
[ -x /usr/bin/time ] || missing+=(time)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  "${apt_get[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
