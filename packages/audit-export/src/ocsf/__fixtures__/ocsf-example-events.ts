// Hand-written OCSF 1.3.0 events shaped as the export maps audit rows: one per kind of row the
// export turns into each class. They are valid against ocsf/ocsf-1.3.0-schema.json.

const product = { name: 'kora-audit', vendor_name: 'Kora', version: '0.1.0' };

/** An MCP tool call (API Activity 6003, activity 99 Other: a tool call is no CRUD verb). */
export const mcpToolCallEvent = {
  activity_id: 99,
  activity_name: 'tool_call',
  category_uid: 6,
  category_name: 'Application Activity',
  class_uid: 6003,
  class_name: 'API Activity',
  type_uid: 600399,
  type_name: 'API Activity: Other',
  severity_id: 1,
  severity: 'Informational',
  time: 1_765_000_000_123,
  duration: 42,
  status_id: 1,
  status: 'Success',
  message: 'MCP tool search_issues called',
  metadata: {
    version: '1.3.0',
    uid: '0193a4f2-7c1e-7d3a-9b2f-5e6d7c8b9a01',
    product,
    log_name: '/var/log/kora/audit.jsonl',
    original_time: '2025-12-06T05:46:40.123Z',
    logged_time: 1_765_000_000_130,
    event_code: 'mcp.tool_called',
    correlation_uid: '4bf92f3577b34da6a3ce929d0e0e4736',
  },
  actor: {
    user: { type_id: 99, type: 'claude_pm', name: 'claude_pm' },
    session: { uid: 'mcp-session-8f14e45f' },
  },
  api: {
    operation: 'search_issues',
    service: { name: 'mcp' },
    request: { uid: 'jsonrpc-17' },
  },
  src_endpoint: { svc_name: 'mcp' },
  unmapped: {
    args_digest: 'hmac-sha256:k1:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    arg_keys: ['labels', 'query'],
  },
};

/** A tool call of the reasoning loop that failed (API Activity 6003, activity 99 Other). */
export const reasoningToolCallEvent = {
  ...mcpToolCallEvent,
  severity_id: 3,
  severity: 'Medium',
  status_id: 2,
  status: 'Failure',
  status_detail: 'tool_error',
  message: 'reasoning loop tool create_issue failed',
  metadata: { ...mcpToolCallEvent.metadata, event_code: 'reasoning.tool_called' },
  api: {
    operation: 'create_issue',
    service: { name: 'reasoning-loop' },
    response: { error: 'ValidationError', error_message: 'title is required' },
  },
  src_endpoint: { svc_name: 'reasoning-loop' },
};

/** A Slack reply that could not be posted (API Activity 6003, activity 1 Create). */
export const failedSlackReplyEvent = {
  ...mcpToolCallEvent,
  activity_id: 1,
  activity_name: 'Create',
  type_uid: 600301,
  type_name: 'API Activity: Create',
  severity_id: 3,
  severity: 'Medium',
  status_id: 2,
  status: 'Failure',
  status_detail: 'ratelimited',
  message: 'Slack reply failed',
  metadata: { ...mcpToolCallEvent.metadata, event_code: 'slack.reply_failed' },
  api: {
    operation: 'chat.postMessage',
    service: { name: 'slack' },
    response: { error: 'ratelimited', code: 429 },
  },
  src_endpoint: { svc_name: 'kora-daemon' },
  unmapped: { attempts: 3 },
};

/** A rejected inbound webhook, kept as a dead letter (HTTP Activity 4002, activity 6 Post). */
export const rejectedWebhookEvent = {
  activity_id: 6,
  activity_name: 'Post',
  category_uid: 4,
  category_name: 'Network Activity',
  class_uid: 4002,
  class_name: 'HTTP Activity',
  type_uid: 400206,
  type_name: 'HTTP Activity: Post',
  severity_id: 3,
  severity: 'Medium',
  time: 1_765_000_100_000,
  status_id: 2,
  status: 'Failure',
  status_detail: 'signature_mismatch',
  message: 'inbound webhook rejected',
  metadata: {
    version: '1.3.0',
    uid: '0193a4f2-9d2e-7f4b-8c3a-6f7e8d9c0b12',
    product,
    log_name: '/var/log/kora/audit.jsonl',
    original_time: '2025-12-06T05:48:20.000Z',
    event_code: 'webhook.dead_letter',
  },
  src_endpoint: { ip: '203.0.113.7', port: 51_234 },
  dst_endpoint: { svc_name: 'kora-daemon' },
  http_request: {
    http_method: 'POST',
    uid: 'req-5f2b9c',
    length: 2048,
    url: { path: '/webhooks/slack' },
  },
  http_response: { code: 401 },
  unmapped: { dead_letter_path: '/var/lib/kora/dead-letters/req-5f2b9c.json' },
};

/** The audit log opened (Event Log Activity 1008, activity 6 Start). */
export const auditLogOpenedEvent = {
  activity_id: 6,
  activity_name: 'Start',
  category_uid: 1,
  category_name: 'System Activity',
  class_uid: 1008,
  class_name: 'Event Log Activity',
  type_uid: 100806,
  type_name: 'Event Log Activity: Start',
  severity_id: 1,
  severity: 'Informational',
  time: 1_765_000_000_000,
  status_id: 1,
  status: 'Success',
  message: 'audit log opened',
  metadata: {
    version: '1.3.0',
    uid: '0193a4f2-7a00-7000-8000-000000000001',
    product,
    log_name: '/var/log/kora/audit.jsonl',
    event_code: 'audit.opened',
  },
  log_name: 'audit.jsonl',
  log_provider: 'kora-audit',
  log_type_id: 2,
  log_type: 'Application',
  file: { name: 'audit.jsonl', path: '/var/log/kora/audit.jsonl', type_id: 1 },
  device: { hostname: 'build-01', type_id: 1 },
  actor: { process: { pid: 4242, name: 'kora-daemon' } },
};

/** Rows the writer lost (Event Log Activity 1008, activity 99 Other). */
export const auditRowsLostEvent = {
  ...auditLogOpenedEvent,
  activity_id: 99,
  activity_name: 'rows_lost',
  type_uid: 100899,
  type_name: 'Event Log Activity: Other',
  severity_id: 4,
  severity: 'High',
  status_id: 2,
  status: 'Failure',
  status_detail: 'queue_full',
  message: 'audit rows lost',
  metadata: { ...auditLogOpenedEvent.metadata, event_code: 'audit.rows_lost' },
  count: 17,
};

/** Every example, named for test titles. */
export const OCSF_EXAMPLE_EVENTS: Readonly<Record<string, Record<string, unknown>>> = {
  'an MCP tool call': mcpToolCallEvent,
  'a failed reasoning-loop tool call': reasoningToolCallEvent,
  'a failed Slack reply': failedSlackReplyEvent,
  'a rejected webhook': rejectedWebhookEvent,
  'the audit log opening': auditLogOpenedEvent,
  'lost audit rows': auditRowsLostEvent,
};
