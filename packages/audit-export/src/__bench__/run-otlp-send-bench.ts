// Records per second for encode (SDK log records) + send (OTLP/HTTP protobuf) to a local receiver,
// 2000-record batches sent one at a time, as `kora-audit export --format otel --otlp-endpoint` does.
// Usage: pnpm bench [batches=50] [gzip]
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createOtelLogEncoder } from '../otel/create-otel-log-encoder.js';
import { createOtlpHttpSender } from '../otel/create-otlp-http-sender.js';
import type { OtelLogRecord } from '../otel/otel-log-record.js';

const BATCH = 2000;
const BATCHES = Number(process.argv[2] ?? 50);
const compression = process.argv[3] === 'gzip' ? 'gzip' : 'none';

const receiverProcess = fork(new URL('./otlp-receiver-process.ts', import.meta.url), {
  execArgv: ['--import', 'tsx', '--conditions=@kora/source'],
});
interface Reply {
  url?: string;
  count?: number;
  cpu?: NodeJS.CpuUsage;
}
async function ask(message: string): Promise<Reply> {
  if (message !== '') receiverProcess.send(message);
  const [reply] = (await once(receiverProcess, 'message')) as [Reply];
  return reply;
}
const { url } = await ask('');
const { cpu: receiverCpuStart } = await ask('count');
if (url === undefined) throw new Error('the receiver process gave no URL');
const encoder = createOtelLogEncoder({
  resource: { 'service.name': 'kora-daemon', 'host.name': 'bench-host' },
  scopeName: '@kora/audit-export',
  scopeVersion: '0.1.0',
});
const sender = createOtlpHttpSender({ url, compression });

function row(seq: number): OtelLogRecord {
  return {
    timeUnixMs: 1_764_000_000_000 + seq,
    observedTimeUnixMs: 1_764_000_100_000,
    severityNumber: 9,
    severityText: 'INFO',
    eventName: 'kora.mcp_tool_called',
    body: { tool: 'search', args_keys: ['limit', 'q'], args_sha256: 'a'.repeat(64), duration_ms: seq % 900, ok: true },
    attributes: { 'kora.seam': 'mcp_tool_called', 'kora.row.seq': seq, 'kora.writer_id': 'writer-1', 'kora.file': 'audit.jsonl' },
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
  };
}

// One batch in flight while the next is encoded: the receiver's work overlaps ours, and still no
// more than one batch is held beyond the one the receiver has not acknowledged.
let encodeMs = 0;
function encodeBatch(batch: number) {
  const rows = Array.from({ length: BATCH }, (_, index) => row(batch * BATCH + index));
  const encodeStart = performance.now();
  const records = encoder.encode(rows);
  encodeMs += performance.now() - encodeStart;
  return records;
}
const started = performance.now();
const cpuStart = process.cpuUsage();
let inFlight = sender.send(encodeBatch(0));
for (let batch = 1; batch < BATCHES; batch += 1) {
  const next = encodeBatch(batch);
  await inFlight;
  inFlight = sender.send(next);
}
await inFlight;
const elapsedMs = performance.now() - started;
const cpu = process.cpuUsage(cpuStart);
// CPU time is the sender's cost whatever else the machine runs; wall time includes the receiver.
const cpuMs = (cpu.user + cpu.system) / 1000;
const total = BATCH * BATCHES;
const { count, cpu: receiverCpu } = await ask('count');
const receiverCpuMs =
  receiverCpu && receiverCpuStart
    ? (receiverCpu.user + receiverCpu.system - receiverCpuStart.user - receiverCpuStart.system) / 1000
    : Number.NaN;
if (count !== total) throw new Error(`the receiver acknowledged ${count} of ${total} rows`);
console.log(
  `otlp send (${compression}): ${total} rows in ${elapsedMs.toFixed(0)} ms = ${Math.round((total / elapsedMs) * 1000)} rows/s` +
    ` (encode alone ${Math.round((total / encodeMs) * 1000)} rows/s;` +
    ` sender CPU ${((cpuMs * 1000) / total).toFixed(1)} µs/row = ${Math.round((total / cpuMs) * 1000)} rows/s per core; receiver CPU ${((receiverCpuMs * 1000) / total).toFixed(1)} µs/row)`,
);
await sender.shutdown();
await encoder.shutdown();
receiverProcess.send('close');
