import type { SeamExportMapping } from '@kora/audit-sink';

/**
 * How `reasoning.tool_called` rows are exported, locked by the allow-list gate with the
 * allow-list. OpenTelemetry: the GenAI semantic conventions of a tool execution; OCSF: API
 * Activity (6003), the tool as the API operation of the `reasoning` service, invoked by what
 * woke the loop; ECS: an `api` event with its duration.
 */
export const reasoningToolCalledExport = {
  outcome: {
    rules: [
      { detail: 'tool_status', equals: 'ok', outcome: 'success' },
      { detail: 'tool_status', equals: 'denied', outcome: 'denied' },
      { detail: 'tool_status', equals: 'error', outcome: 'error' },
      { detail: 'tool_status', equals: 'timeout', outcome: 'error' },
    ],
    otherwise: 'unknown',
  },
  otel: {
    attributes: {
      'gen_ai.operation.name': { constant: 'execute_tool' },
      'gen_ai.tool.name': { detail: 'tool_name' },
      'error.type': { detail: 'exc_type' },
    },
  },
  ocsf: {
    class_uid: 6003,
    activity_id: { constant: 99 },
    activity_name: { constant: 'Execute Tool' },
    fields: {
      'actor.invoked_by': { detail: 'triggered_by' },
      'actor.app_name': { constant: 'kora-agent' },
      'actor.session.uid': { row: 'caller_session_id' },
      'api.operation': { detail: 'tool_name' },
      'api.service.name': { constant: 'reasoning' },
      'api.response.error': { detail: 'exc_type' },
      'src_endpoint.svc_name': { row: 'source' },
      duration: { detail: 'tool_duration_ms' },
      status_detail: { detail: 'tool_status' },
      'unmapped.args_digest': { detail: 'args_digest' },
      'unmapped.args_digest_error': { detail: 'args_digest_error' },
    },
  },
  ecs: {
    category: ['api'],
    type: ['access'],
    fields: {
      'gen_ai.operation.name': { constant: 'execute_tool' },
      'event.duration': { detail: 'tool_duration_ms', scale: 1_000_000 },
      'event.reason': { detail: 'tool_status' },
      'error.type': { detail: 'exc_type' },
      'kora.tool.name': { detail: 'tool_name' },
      'kora.tool.triggered_by': { detail: 'triggered_by' },
      'kora.tool.args_digest': { detail: 'args_digest' },
      'kora.tool.args_digest_error': { detail: 'args_digest_error' },
      'kora.session_id': { row: 'caller_session_id' },
    },
  },
} as const satisfies SeamExportMapping;
