import type { SeamExportMapping } from '@kora/audit-sink';

/** The HTTP status the daemon's listeners answer each rejection reason with. */
const STATUS_BY_REASON = {
  rate_limited: 429,
  body_too_large: 413,
  body_incomplete: 408,
  malformed_json: 400,
  invalid_payload: 400,
  slack_not_configured: 503,
  email_not_configured: 503,
  missing_signature: 401,
  slack_signature_missing: 401,
  slack_signature_mismatch: 401,
  slack_timestamp_missing: 401,
  slack_timestamp_invalid: 401,
  slack_timestamp_stale: 401,
  slack_timestamp_too_old: 401,
  purelymail_signature_missing: 401,
  purelymail_hmac_mismatch: 401,
} as const;

/**
 * How `webhook.dead_letter` rows are exported, locked by the allow-list gate with the
 * allow-list. A rejected webhook is an inbound HTTP POST that failed: OCSF HTTP Activity (4002,
 * Post) with the peer address as `src_endpoint.ip`; ECS a `web` access event that was denied,
 * with `source.ip`; OpenTelemetry a WARN record with the reason as `error.type`. The header
 * summary stays in the body (OpenTelemetry) and under `kora.*`.
 */
export const webhookDeadLetterExport = {
  outcome: { rules: [], otherwise: 'failure' },
  otel: {
    attributes: {
      'http.request.method': { constant: 'POST' },
      'client.address': { detail: 'peer_ip' },
      'http.request.body.size': { detail: 'body_bytes' },
      'error.type': { detail: 'reason' },
      'http.response.status_code': { detail: 'status' },
    },
  },
  ocsf: {
    class_uid: 4002,
    activity_id: { constant: 6 },
    activity_name: { constant: 'Post' },
    fields: {
      'src_endpoint.ip': { detail: 'peer_ip' },
      'dst_endpoint.svc_name': { detail: 'source' },
      'http_request.http_method': { constant: 'POST' },
      'http_request.uid': { detail: 'request_id' },
      'http_request.length': { detail: 'body_bytes' },
      // Rows written before `status` was recorded: the status the daemon answers each reason with;
      // 0 (not an HTTP status, so never mistaken for one) where that is not known either, since
      // OCSF HTTP Activity requires a response code.
      'http_response.code': { first: [{ detail: 'status' }, { detail: 'reason', map: STATUS_BY_REASON, otherwise: 0 }] },
      status_detail: { detail: 'reason' },
      'unmapped.headers': { detail: 'headers' },
      'unmapped.received_at': { detail: 'ts' },
    },
  },
  ecs: {
    category: ['web', 'network'],
    type: ['access'],
    fields: {
      'source.ip': { detail: 'peer_ip' },
      'http.request.method': { constant: 'POST' },
      'http.request.id': { detail: 'request_id' },
      'http.request.body.bytes': { detail: 'body_bytes' },
      'http.response.status_code': { detail: 'status' },
      'event.reason': { detail: 'reason' },
      'service.name': { detail: 'source' },
      'kora.webhook.headers': { detail: 'headers' },
      'kora.webhook.received_at': { detail: 'ts' },
    },
  },
} as const satisfies SeamExportMapping;
