import type { SeamExportMapping } from '@kora/audit-sink';

/**
 * How `mcp.tool_called` rows are exported, locked by the allow-list gate with the allow-list.
 * OpenTelemetry: the GenAI and MCP semantic conventions of a tool execution; OCSF: API Activity
 * (6003), the tool as the API operation of the `mcp` service; ECS: an `api` event. The argument
 * key names and the digest travel in the record's body (OpenTelemetry) or under `kora.*`.
 */
export const mcpToolCalledExport = {
  outcome: {
    rules: [
      { detail: 'result', prefix: 'denied:', outcome: 'denied' },
      { detail: 'result', prefix: 'error:', outcome: 'error' },
    ],
    otherwise: 'success',
  },
  otel: {
    attributes: {
      'gen_ai.operation.name': { constant: 'execute_tool' },
      'gen_ai.tool.name': { detail: 'tool_name' },
      'mcp.method.name': { constant: 'tools/call' },
      'mcp.session.id': { row: 'caller_session_id' },
      'error.type': { detail: 'result', after: 'error:' },
    },
  },
  ocsf: {
    class_uid: 6003,
    activity_id: { detail: 'tool_kind', map: { read: 2 }, otherwise: 99 },
    activity_name: { detail: 'tool_kind', map: { read: 'Read', mutating: 'Execute Tool' } },
    fields: {
      'actor.app_name': { constant: 'kora-agent' },
      'actor.user.name': { detail: 'caller_actor_kind' },
      'actor.user.type_id': { constant: 99 },
      'actor.user.type': { constant: 'Token Actor' },
      'actor.session.uid': { row: 'caller_session_id' },
      'api.operation': { detail: 'tool_name' },
      'api.service.name': { constant: 'mcp' },
      'api.response.error': { detail: 'result', after: 'error:' },
      'src_endpoint.svc_name': { row: 'source' },
      status_detail: { detail: 'result' },
      'unmapped.tool_kind': { detail: 'tool_kind' },
      'unmapped.args_keys': { detail: 'args_keys' },
      'unmapped.args_digest': { detail: 'args_digest' },
      'unmapped.args_digest_error': { detail: 'args_digest_error' },
    },
  },
  ecs: {
    category: ['api'],
    type: ['access'],
    fields: {
      'gen_ai.operation.name': { constant: 'execute_tool' },
      'event.reason': { detail: 'result' },
      'error.type': { detail: 'result', after: 'error:' },
      'user.roles': { detail: 'caller_actor_kind' },
      'kora.tool.name': { detail: 'tool_name' },
      'kora.tool.kind': { detail: 'tool_kind' },
      'kora.tool.args_keys': { detail: 'args_keys' },
      'kora.tool.args_digest': { detail: 'args_digest' },
      'kora.tool.args_digest_error': { detail: 'args_digest_error' },
      'kora.session_id': { row: 'caller_session_id' },
    },
  },
} as const satisfies SeamExportMapping;
