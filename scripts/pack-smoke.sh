#!/usr/bin/env bash
# Prove the published packages install and work from their tarballs, as a service team gets
# them: build, `pnpm pack` every package under packages/ that is not private, check each
# tarball (LICENSE, no test/fixture/bench files, exports and source maps that resolve), run
# publint and Are the Types Wrong on it, then `npm install` all the tarballs in a scratch
# project outside the workspace and there: emit through every seam and read the rows back,
# run the `kora-audit` bin from its tarball, and type-check a consumer under module nodenext.
# Exits non-zero on the first failed step. KORA_SMOKE_SKIP_BUILD=1 packs the existing dist/.
# KORA_PACK_SMOKE_REPORT=FILE also writes the steps passed and the one failed there as JSON
# ({ passed, failed, failures }), for CI's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
here=$root/scripts/pack-smoke

report=${KORA_PACK_SMOKE_REPORT:-}
[ -z "$report" ] || case $report in /*) ;; *) report=$root/$report ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/kora-pack-smoke-XXXXXX")
packs=$work/packs
consumer=$work/consumer
mkdir -p "$packs" "$consumer"

# Each step is one check: the ones finished passed; the one running when the script exits
# non-zero failed.
passed_steps=0
current=''
failure=''
step() {
  [ -z "$current" ] || passed_steps=$((passed_steps + 1))
  current=$*
  printf '\n== pack smoke: %s\n' "$*"
}
fail() {
  echo "pack smoke FAILED: $*" >&2
  exit 1
}
finish() {
  local status=$?
  rm -rf "$work"
  if [ -n "$report" ]; then
    mkdir -p "$(dirname "$report")"
    if [ "$status" -eq 0 ]; then
      [ -z "$current" ] || passed_steps=$((passed_steps + 1))
      printf '{ "passed": %d, "failed": 0, "failures": [] }\n' "$passed_steps" >"$report"
    else
      STEP="${current:-start}" node -e 'console.log(JSON.stringify({ passed: Number(process.argv[1]), failed: 1, failures: [`pack smoke > ${process.env.STEP}`] }))' \
        "$passed_steps" >"$report"
    fi
  fi
  exit "$status"
}
trap finish EXIT

# The published packages: packages/* whose package.json is not "private": true.
mapfile -t published < <(node -e '
  const { readdirSync, readFileSync } = require("node:fs");
  for (const name of readdirSync("packages").sort()) {
    try {
      const pkg = JSON.parse(readFileSync(`packages/${name}/package.json`, "utf8"));
      if (pkg.private !== true) console.log(`packages/${name}`);
    } catch {}
  }')
[ "${#published[@]}" -gt 0 ] || fail "no published package under packages/"

if [ "${KORA_SMOKE_SKIP_BUILD:-}" != 1 ]; then
  step "build (dist/ cleared first, so no stale file is packed)"
  for dir in "${published[@]}"; do rm -rf "$dir/dist"; done
  pnpm build --output-logs=errors-only || fail "pnpm build"
fi

step "pack ${#published[@]} packages"
for dir in "${published[@]}"; do
  (cd "$dir" && pnpm pack --pack-destination "$packs" >/dev/null) || fail "pnpm pack in $dir"
done
mapfile -t tarballs < <(ls "$packs"/*.tgz)
[ "${#tarballs[@]}" -eq "${#published[@]}" ] || fail "${#published[@]} packages packed into ${#tarballs[@]} tarballs"

step "check the tarballs' contents"
node "$here/check-tarballs.mjs" "$root/LICENSE" "${tarballs[@]}" || fail "a tarball's contents"

step "publint and Are the Types Wrong"
for tarball in "${tarballs[@]}"; do
  name=$(basename "$tarball")
  pnpm exec publint run "$tarball" --strict --level warning || fail "publint $name"
  # The packages are ESM only (no require condition, Node >= 20.19 loads them with require(esm)
  # too): the esm-only profile leaves out the node10 and node16-from-CJS resolutions that an
  # ESM-only package cannot satisfy by design, and checks node16-from-ESM and bundler.
  pnpm exec attw "$tarball" --profile esm-only --no-emoji --no-color --format table-flipped || fail "attw $name"
done

step "install the tarballs with npm in a project outside the workspace ($consumer)"
version_of() { node -p "require('$root/node_modules/$1/package.json').version"; }
ts_version=$(version_of typescript)
zod_version=$(cd "$root/packages/audit-sink" && node -p "require('zod/package.json').version")
fast_check_version=$(cd "$root/packages/audit-sink" && node -p "require('fast-check/package.json').version")
types_node_version=$(cd "$root/packages/audit-sink" && node -p "require('@types/node/package.json').version")
cp "$here/consumer.mjs" "$here/consumer.ts" "$consumer/"
cp "$here/tsconfig.consumer.json" "$consumer/tsconfig.json"
(
  cd "$consumer"
  printf '{ "name": "kora-consumer", "version": "0.0.0", "private": true, "type": "module" }\n' >package.json
  npm install --no-audit --no-fund --loglevel=error "${tarballs[@]}" "zod@$zod_version" "typescript@$ts_version" \
    "@types/node@$types_node_version" "fast-check@$fast_check_version"
) || fail "npm install of the tarballs"
# Each internal dependency came from its tarball, not the registry: one copy each, at the
# workspace's version, and one zod.
(
  cd "$consumer"
  npm ls --all --parseable 2>/dev/null | grep -c '/node_modules/zod$' | grep -qx 1 || fail "the consumer holds more than one zod"
  for tarball in "${tarballs[@]}"; do
    pkg=$(tar xzf "$tarball" -O package/package.json | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).name')
    count=$(npm ls --all --parseable 2>/dev/null | grep -c "/node_modules/$pkg\$" || true)
    [ "$count" = 1 ] || fail "$pkg is installed $count times"
  done
)

step "emit through every seam and read the rows back"
audit=$consumer/audit/kora_audit_log.jsonl
(cd "$consumer" && node consumer.mjs "$audit") || fail "the consumer could not import or emit"

step "the kora-audit bin from its tarball"
(
  cd "$consumer"
  out=$(npx --no-install kora-audit query --path "$audit" --limit 5) || fail "kora-audit query"
  rows=$(printf '%s\n' "$out" | grep -c '"seam"' || true)
  [ "$rows" -ge 4 ] || fail "kora-audit query printed $rows rows, not at least 4"
  stats=$(npx --no-install kora-audit stats --path "$audit") || fail "kora-audit stats"
  printf '%s' "$stats" | node -e '
    const stats = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const text = JSON.stringify(stats);
    for (const seam of ["mcp.tool_called", "reasoning.tool_called", "slack_dm.reply_failed", "webhook.dead_letter"])
      if (!text.includes(seam)) { console.error(`stats names no ${seam}: ${text}`); process.exit(1); }' || fail "kora-audit stats"
  echo "kora-audit query printed $rows rows; stats counted every seam"
)

step "kora-audit export from its tarball: OCSF events the shipped schema accepts, and OpenTelemetry records"
(
  cd "$consumer"
  npx --no-install kora-audit export --format ocsf --path "$audit" --out "$work/audit.ocsf.jsonl" 2>/dev/null >/dev/null ||
    fail "kora-audit export --format ocsf"
  node --input-type=module -e '
    import { readFileSync } from "node:fs";
    import { validateOcsfEvent } from "@kora/audit-export/ocsf";
    const events = readFileSync(process.argv[1], "utf8").trimEnd().split("\n").map((line) => JSON.parse(line));
    const rows = readFileSync(process.argv[2], "utf8").trimEnd().split("\n").length;
    if (events.length !== rows) { console.error(`${events.length} events for ${rows} rows`); process.exit(1); }
    for (const event of events) {
      const result = validateOcsfEvent(event);
      if (!result.valid) { console.error(result.errors.join("; ")); process.exit(1); }
    }
    console.log(`kora-audit export wrote ${events.length} OCSF events, one per row, all valid`);' "$work/audit.ocsf.jsonl" "$audit" ||
    fail "the exported OCSF events"
  # OpenTelemetry: the encoding workers load the SDK through @kora/audit-export/otel.
  npx --no-install kora-audit export --format otel --path "$audit" --out "$work/audit.otel.jsonl" 2>/dev/null >/dev/null ||
    fail "kora-audit export --format otel"
  node --input-type=module -e '
    import { readFileSync } from "node:fs";
    const records = readFileSync(process.argv[1], "utf8").trimEnd().split("\n")
      .flatMap((line) => JSON.parse(line).resourceLogs[0].scopeLogs[0].logRecords);
    const rows = readFileSync(process.argv[2], "utf8").trimEnd().split("\n").length;
    if (records.length !== rows) { console.error(`${records.length} records for ${rows} rows`); process.exit(1); }
    console.log(`kora-audit export wrote ${records.length} OpenTelemetry log records, one per row`);' "$work/audit.otel.jsonl" "$audit" ||
    fail "the exported OpenTelemetry records"
)

step "tsc --noEmit of a consumer under module nodenext"
(cd "$consumer" && npx --no-install tsc -p tsconfig.json) || fail "the consumer does not type-check"

echo
echo "pack smoke: ${#tarballs[@]} tarballs packed, checked, installed and used"
