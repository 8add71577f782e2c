import { parentPort, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import type { Seam } from '@kora/audit-sink';
import { classifyAuditLine } from '@kora/audit-sink/reader';
import { createRecordMaker } from '../formats/create-record-maker.js';
import { createExportRowReader } from '../mapping/read-export-row.js';
import { encodeJsonLines } from '../targets/encode-json-lines.js';
import { digestSeams } from './digest-seams.js';
import type { EncodingReply, EncodingRequest, EncodingWorkerData, PassedOver } from './encoding-worker-protocol.js';

/**
 * Run this worker thread as an encoding worker of `createExporter({ encodeInWorker })` over
 * `seams`: it classifies whole lines of the audit file as every reader does, checks each row's
 * details against its seam's allow-list, maps the rows to the export format and encodes them to
 * the bytes a file or stream target writes, a batch at a time, until the exporter ends it.
 * Throws (and the exporter refuses to start) when `seams` are not the exporter's.
 */
export async function runEncodingWorker(seams: readonly Seam[]): Promise<void> {
  const data = workerData as EncodingWorkerData;
  const port = parentPort;
  if (port === null) throw new Error('runEncodingWorker: not in a worker thread');
  if (!Array.isArray(seams) || digestSeams(seams) !== data.seamDigest) {
    throw new Error('the encoding worker loaded other seams than the exporter has: its seams module must export the same seams');
  }
  let batchNow = 0;
  const context = { ...data.context, now: () => batchNow };
  const readRow = createExportRowReader({ seams, leafHashes: data.leafHashes });
  const makeRecord = createRecordMaker(data.format, context);
  // The OpenTelemetry SDK is loaded only for its format (by the package name, which a bundle of
  // this worker leaves to the package).
  const otel = data.format === 'otel' ? await import('@kora/audit-export/otel') : undefined;
  const otelEncoder = otel?.createExportOtelEncoder(context);
  let encode: (records: readonly unknown[]) => Uint8Array;
  if (otel === undefined || otelEncoder === undefined) {
    if (data.encoding !== 'lines') throw new Error(`the encoding worker cannot encode ${data.format} to ${data.encoding}`);
    encode = encodeJsonLines;
  } else {
    const protobuf = otel.createOtlpProtobufEncoder(otelEncoder);
    if (data.encoding === 'lines') encode = otel.createOtlpJsonLineEncoder(otelEncoder);
    else if (data.encoding === 'otlp-protobuf') encode = protobuf;
    // Compressed here, on the worker's core, rather than on the sending thread.
    else encode = (records) => gzipSync(protobuf(records));
  }

  async function encodeBatch(request: EncodingRequest): Promise<EncodingReply> {
    batchNow = request.now;
    const records: unknown[] = [];
    const passedOver: PassedOver[] = [];
    let blank = 0;
    const bytes = Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength);
    for (let start = 0; start < bytes.length;) {
      const newline = bytes.indexOf(0x0a, start);
      const end = newline === -1 ? bytes.length : newline;
      const offset = request.offset + start;
      const text = bytes.toString('utf8', start, end);
      start = end + 1;
      let line = classifyAuditLine(text);
      // Only a line the envelope schema alone can judge waits, for the schema to load.
      if (line instanceof Promise) line = await line;
      if (line.kind === 'blank') {
        blank += 1;
      } else if (line.kind !== 'row') {
        passedOver.push([offset, line.kind === 'invalid' ? line.reason : 'malformed']);
      } else {
        const result = readRow(line.entry, line.text);
        if (result.kind === 'row') records.push(makeRecord(result.row));
        else passedOver.push([offset, result.reason]);
      }
    }
    const encoded = records.length === 0 ? new Uint8Array(0) : encode(records);
    // A buffer of its own, handed over rather than copied into the other thread.
    const output = new Uint8Array(encoded.byteLength);
    output.set(encoded);
    return { id: request.id, buffer: output.buffer, length: output.byteLength, records: records.length, blank, passedOver };
  }

  // One batch at a time, in the order asked.
  let queue = Promise.resolve();
  port.on('message', (request: EncodingRequest) => {
    queue = queue.then(async () => {
      try {
        const reply = await encodeBatch(request);
        if ('buffer' in reply) port.postMessage(reply, [reply.buffer]);
      } catch (error) {
        const reply: EncodingReply = { id: request.id, error: error instanceof Error ? error.message : 'the encoding worker failed' };
        port.postMessage(reply);
      }
    });
  });
  port.postMessage('ready');
}
