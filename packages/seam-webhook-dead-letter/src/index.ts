export { seam, webhookDeadLetterDetails } from './webhook-dead-letter.js';
export type { WebhookDeadLetterDetails } from './webhook-dead-letter.js';
export { emitWebhookDeadLetter } from './emit-webhook-dead-letter.js';
export type { EmitWebhookDeadLetterInput } from './emit-webhook-dead-letter.js';
export { WEBHOOK_HEADER_NAMES, summarizeWebhookHeaders } from './summarize-webhook-headers.js';
export type { RawWebhookHeaders, WebhookHeaderName, WebhookHeaderSummary } from './summarize-webhook-headers.js';
