import type { auditEnvelope } from '../envelope/audit-envelope.js';

/** The strict envelope schema: the final word on a row the hand checks cannot vouch for. */
export type AuditEnvelopeSchema = typeof auditEnvelope;

// Loaded, and zod with it, the first time a row needs it: rows as the sink writes them pass
// the hand checks, so most reads never load it, and start faster.
let loaded: AuditEnvelopeSchema | undefined;

/** The envelope schema if it has been loaded, else undefined. */
export function loadedEnvelopeSchema(): AuditEnvelopeSchema | undefined {
  return loaded;
}

/** Load the envelope schema (zod, but not the sink or its logger), once. */
export async function loadEnvelopeSchema(): Promise<AuditEnvelopeSchema> {
  loaded ??= (await import('../envelope/audit-envelope.js')).auditEnvelope;
  return loaded;
}
