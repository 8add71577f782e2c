// Emits rows in a process where `@opentelemetry/api` cannot be found (see
// without-opentelemetry.ts), and reports on stdout the outcomes, the rows' keys and how many
// times the package was looked for. argv: the audit file's path.
import { readFileSync } from 'node:fs';
import { createAuditSink } from '@kora/audit-sink';
import { exampleSeam } from './example-seam.js';

const [path] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: <path>');
const sink = createAuditSink({ path, logger: { info: () => undefined, warn: () => undefined }, flushOnExit: false, reopenOnHangup: false });
const outcomes = [1, 2, 3].map((count) => sink.emit(exampleSeam, { tool_name: 'untraced', count }).ok);
await sink.close();
const keys = readFileSync(path, 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => Object.keys(JSON.parse(line) as object));
const lookups = (globalThis as { openTelemetryLookups?: number }).openTelemetryLookups;
process.stdout.write(`${JSON.stringify({ outcomes, keys, lookups })}\n`);
