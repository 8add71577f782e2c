import type { ArgsDigestSkipReason } from '../digest/snapshot-json-value.js';
import { getDefaultAuditSink } from '../sink/default-sink.js';
import type { EmitTargets } from './emit-seam-event.js';

/**
 * The detail fields a tool-call seam adds for its arguments: `args_digest` when the sink has a
 * key and the arguments are JSON, `args_digest_error` when it has a key and they are not,
 * nothing when it has no key or there are no arguments.
 */
export type ToolArgsDigestFields =
  | { readonly args_digest?: undefined; readonly args_digest_error?: undefined }
  | { readonly args_digest: string; readonly args_digest_error?: undefined }
  | { readonly args_digest?: undefined; readonly args_digest_error: ArgsDigestSkipReason };

/**
 * Digest a tool call's raw arguments with the key of the sink the row goes to (`targets.sink`,
 * else the process sink). Seam emit helpers spread the result into their details. Never throws.
 */
export function digestToolArgs(args: unknown, targets: EmitTargets = {}): ToolArgsDigestFields {
  if (args === undefined) return {};
  let digester;
  try {
    digester = (targets.sink ?? getDefaultAuditSink()).argsDigester;
  } catch {
    // No sink to be had: the emit itself reports that.
    return {};
  }
  if (digester === undefined) return {};
  const result = digester.digest(args);
  return result.ok ? { args_digest: result.digest } : { args_digest_error: result.reason };
}
