// The demo: start the daemon with local fakes of the Slack and Anthropic APIs, drive a
// scenario through every seam over the real protocols, show where everything went, then keep
// serving for the operator page until interrupted (`--once` exits after the scenario).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLogger } from '@kora/audit-sink';
import { ConfigError, pickArgsDigestEnv } from '../env.js';
import { ensurePrivateDirectory, ensurePrivateFile } from '../files/ensure-private-paths.js';
import { stopOnSignals } from '../stop-on-signals.js';
import { DEMO_USAGE, DemoArgsError, parseDemoArgs } from './parse-demo-args.js';
import { runScenario } from './run-scenario.js';
import { scenarioOptionsFor, startDemoStack } from './start-demo-stack.js';

let args;
try {
  args = parseDemoArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof DemoArgsError)) throw error;
  process.stderr.write(`run-demo: ${error.message}\n${DEMO_USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${DEMO_USAGE}\n`);
  process.exit(0);
}
const { port } = args;

// Built at run time so that no credential-shaped literal sits in the source.
const plantedSecret = ['xoxb', '2222222222', '3333333333333', 'DemoDemoDemoDemoDemoDemo'].join('-');

// The pino log goes next to the audit file, so the directory is chosen before the stack starts.
const home = args.home ?? mkdtempSync(join(tmpdir(), 'kora-demo-'));
const logPath = join(home, 'daemon.log');
// The log holds every verbatim line: as private as the audit file, before pino opens it (its
// own open would make it 0644, and its mkdir a 0755 home).
ensurePrivateDirectory(home);
ensurePrivateFile(logPath);
const logger = createAuditLogger({ destination: logPath });
// The digest key of tool-call arguments is the operator's: taken from the environment, if set.
const start = (listenPort: number) => startDemoStack({ port: listenPort, logger, home, env: pickArgsDigestEnv(process.env) });
let stack;
try {
  stack = await start(port);
} catch (error) {
  if (error instanceof ConfigError) {
    // It names the variable, never its value.
    process.stderr.write(`run-demo: ${error.message}\n`);
    process.exit(2);
  }
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
  process.stdout.write(`Port ${port} is taken; using a free one.\n`);
  stack = await start(0);
}

const steps = await runScenario(scenarioOptionsFor(stack, plantedSecret));
// The scenario's rows are sealed within a pass or two; a few seconds at most.
let seal = await stack.daemon.sealStatus();
for (let waited = 0; seal.state === 'sealing' && (seal.unsealed_bytes > 0 || seal.size === 0) && waited < 10_000; waited += 100) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  seal = await stack.daemon.sealStatus();
}

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
out('kora-audit demo: the daemon with local fakes of the Slack and Anthropic APIs');
out();
out('Scenario:');
for (const step of steps) out(`  ${step.action.padEnd(52)} ${step.outcome}`);

const auditText = readFileSync(stack.auditLogPath, 'utf8');
const rows = auditText.split('\n').filter((line) => line !== '');
const perSeam = new Map<string, number>();
const digests: string[] = [];
for (const line of rows) {
  const row = JSON.parse(line) as { seam: string; details?: { args_digest?: unknown } };
  perSeam.set(row.seam, (perSeam.get(row.seam) ?? 0) + 1);
  if (typeof row.details?.args_digest === 'string') digests.push(row.details.args_digest);
}
const logMessages = readFileSync(logPath, 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => (JSON.parse(line) as { msg?: string }).msg ?? '');
const verbatim = logMessages.filter((message) => /^\[kora\.(mcp|webhook|slack_dm|reasoning)\./.test(message));
const firstOfEachSeam = new Map<string, string>();
for (const line of verbatim) {
  const tag = line.slice(0, line.indexOf(']') + 1);
  if (!firstOfEachSeam.has(tag)) firstOfEachSeam.set(tag, line);
}

out();
out(`Audit file (JSONL):  ${stack.auditLogPath}`);
out(`  ${rows.length} rows: ${[...perSeam].map(([seam, count]) => `${seam} ×${count}`).join(', ')}`);
out(`Checkpoints:         ${stack.checkpointsPath}`);
out(
  seal.state === 'failed'
    ? `  sealing failed: ${seal.error ?? 'the file no longer matches its seal'}`
    : `  ${seal.size} lines sealed, the newest checkpoint signed by ${seal.key ?? '?'}; new rows are sealed within a second`,
);
out(`Seal key:            ${stack.sealKey.privateKeyPath} (private)  ${stack.sealKey.verifierKeyPath} (verifier key, for checkers)`);
out(`Check the seal:      pnpm kora-audit verify --path ${stack.auditLogPath} --public-key ${stack.sealKey.verifierKeyPath}`);
if (digests.length > 0) {
  out(`Argument digests:    ${digests.length} tool-call rows carry args_digest under key ${digests[0]?.split(':')[1] ?? '?'}`);
  out(`  match one:         pnpm kora-audit hash --args '<the arguments as JSON>'  (with the same KORA_AUDIT_HMAC_KEY)`);
}
out(`Log (pino):          ${logPath}`);
out('  a verbatim line of each seam:');
for (const line of firstOfEachSeam.values()) out(`    ${line}`);
const leaked = auditText.includes(plantedSecret) || logMessages.some((message) => message.includes(plantedSecret));
out();
out(`The Slack token planted in tool arguments, a webhook body and DMs is in neither output: ${leaked ? 'NO — LEAKED' : 'confirmed'}.`);
out();
out(`Panels:  ${stack.daemon.url}/   operator token: ${stack.operatorToken}   (the Integrity section shows the checkpoints)`);
out(`MCP:     ${stack.daemon.url}/mcp   caller token (pm-agent): ${stack.agentToken}`);
out(`Query:   pnpm kora-audit query --path ${stack.auditLogPath} --limit 5`);
out(`Export:  pnpm kora-audit export --path ${stack.auditLogPath} --format ocsf   (or ecs, otel; --otlp-endpoint URL for a Collector)`);

if (args.once || leaked) {
  await stack.close();
  process.exit(leaked ? 1 : 0);
}
out();
// Installed before the line below, which is what a supervisor (or a test) waits for.
stopOnSignals(
  () => stack.close(),
  () => out('Stopping: closing the daemon and the fakes, flushing and sealing the audit file.'),
);
out('Serving until interrupted (Ctrl-C).');
