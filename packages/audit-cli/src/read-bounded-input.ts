import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readErrorCode } from '@kora/audit-sink/reader';
import type { CliIo } from './cli-io.js';
import { UsageError } from './usage-error.js';

/**
 * The bytes of the file an option names (`-`: standard input), refused as a usage error when it
 * cannot be read, is not a regular file or holds more than `maxBytes`: input from outside is
 * never read whole before its size is known.
 */
export async function readBoundedInput(option: string, name: string, io: CliIo, maxBytes: number): Promise<Buffer> {
  const tooLarge = (): UsageError => new UsageError(`${option}: larger than ${maxBytes} bytes`);
  if (name === '-') {
    const chunks: Buffer[] = [];
    let length = 0;
    const input = io.stdin ?? process.stdin;
    for await (const chunk of input) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      length += bytes.length;
      if (length > maxBytes) {
        input.destroy();
        throw tooLarge();
      }
      chunks.push(bytes);
    }
    return Buffer.concat(chunks, length);
  }
  const path = resolve(io.cwd, name);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${path}: ${readErrorCode(error) ?? String(error)}`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new UsageError(`${option}: ${path} is not a regular file`);
    if (stats.size > maxBytes) throw tooLarge();
    // One byte past its size: a file that grew meanwhile is refused, not read in part.
    const buffer = Buffer.alloc(stats.size + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled > stats.size) throw new UsageError(`${option}: ${path} changed while it was read`);
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
