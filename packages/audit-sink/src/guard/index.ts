// `@kora/audit-sink/guard`: the secret rules and the functions that find and redact what they
// match, without the sink, its logger or zod, so a command that only scans text starts faster.
export { SECRET_RULES } from './secret-rules.js';
export type { SecretRule } from './secret-rules.js';
export { findSecrets, mayHoldSecret } from './find-secrets.js';
export { redactText } from './redact-text.js';
export { redactValue } from './redact-value.js';
export { fitRedactedLength } from './fit-redacted-length.js';
export type { RedactionFinding, SecretMatch } from './guard-types.js';
