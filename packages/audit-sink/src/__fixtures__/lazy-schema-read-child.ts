// Reads a file through `@kora/audit-sink/reader` in a fresh process, where no module has
// loaded zod yet, and prints what it read and when zod got loaded. Usage: <path> <entries|lines> <offloadAfterBytes>
import { readAuditEntries, streamAuditLines } from '@kora/audit-sink/reader';

const [path, mode, offload] = process.argv.slice(2);
if (path === undefined || (mode !== 'entries' && mode !== 'lines')) throw new Error('usage: <path> <entries|lines> <offloadAfterBytes>');
const offloadAfterBytes = Number(offload ?? 'Infinity');
const zodLoaded = (): boolean => '__zod_globalConfig' in globalThis;

const zodBefore = zodLoaded();
let lines: string[] = [];
let skipped: unknown;
if (mode === 'entries') {
  const page = await readAuditEntries({ path, limit: 10_000, withLines: true, offloadAfterBytes });
  lines = page.lines ?? [];
  skipped = page.skipped;
} else {
  const total = { blank: 0, malformed: 0, torn: 0, invalid: 0 };
  for await (const batch of streamAuditLines({ path, offloadAfterBytes })) {
    lines.push(...batch.lines);
    for (const kind of ['blank', 'malformed', 'torn', 'invalid'] as const) total[kind] += batch.skipped[kind];
  }
  skipped = total;
}
process.stdout.write(`${JSON.stringify({ zodBefore, zodAfter: zodLoaded(), lines, skipped })}\n`);
