// Emits one row through `@kora/audit-sink`, as a seam package does, in a fresh process, and
// reports on stderr (stdout is the default logger's) whether pino was loaded after the import
// and after the emit. argv: `explicit` (a sink and a logger of the caller's own, path in argv)
// or `defaults` (the process sink from KORA_AUDIT_LOG_PATH and the process logger).
import { createRequire } from 'node:module';
import { createAuditSink, emitSeamEvent } from '@kora/audit-sink';
import { exampleSeam } from './example-seam.js';

const require = createRequire(import.meta.url);
// pino is CommonJS: loaded from anywhere, it is in the module cache.
const pinoLoaded = (): boolean => Object.keys(require.cache).some((path) => /[\\/]node_modules[\\/]pino[\\/]/.test(path));

const [mode, path] = process.argv.slice(2);
const afterImport = pinoLoaded();
const lines: string[] = [];
let outcome;
if (mode === 'explicit' && path !== undefined) {
  const logger = { info: (message: string) => void lines.push(message), warn: (message: string) => void lines.push(message) };
  const sink = createAuditSink({ path, logger, flushOnExit: false, reopenOnHangup: false });
  outcome = emitSeamEvent(exampleSeam, { tool_name: 'lazy', count: 1 }, undefined, { sink, logger });
  await sink.close();
} else if (mode === 'defaults') {
  outcome = emitSeamEvent(exampleSeam, { tool_name: 'lazy', count: 1 });
} else {
  throw new Error('usage: <explicit <path>|defaults>');
}
process.stderr.write(`${JSON.stringify({ afterImport, afterEmit: pinoLoaded(), outcome, lines })}\n`);
