import { resolveAuditLogPathFrom } from './kora-env.js';
import type { KoraEnv } from './kora-env.js';

/**
 * The audit file's path: `KORA_AUDIT_LOG_PATH` → `$KORA_HOME/kora_audit_log.jsonl` →
 * `$HERMES_HOME/kora_audit_log.jsonl` → `~/.kora/kora_audit_log.jsonl`.
 * @param env defaults to `process.env`
 */
export function resolveAuditLogPath(env: KoraEnv = process.env): string {
  return resolveAuditLogPathFrom(env);
}
