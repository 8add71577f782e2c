import type { SeamExportMapping } from '@kora/audit-sink';

/**
 * How `slack_dm.reply_failed` rows are exported, locked by the allow-list gate with the
 * allow-list. A failed reply is a failed call of Slack's `chat.postMessage`: OCSF API Activity
 * (6003, Create) with the failure reason as the API's error; ECS an `api` creation event that
 * failed; OpenTelemetry a WARN record with the reason as `error.type`.
 */
export const slackDmReplyFailedExport = {
  outcome: { rules: [], otherwise: 'failure' },
  otel: {
    attributes: {
      'error.type': { detail: 'reason' },
    },
  },
  ocsf: {
    class_uid: 6003,
    activity_id: { constant: 1 },
    activity_name: { constant: 'Create' },
    fields: {
      'actor.app_name': { constant: 'kora-agent' },
      'actor.session.uid': { row: 'caller_session_id' },
      'api.operation': { constant: 'chat.postMessage' },
      'api.service.name': { constant: 'slack' },
      'api.response.error': { detail: 'reason' },
      'src_endpoint.svc_name': { row: 'source' },
      status_detail: { detail: 'reason' },
      'unmapped.channel_id': { detail: 'channel_id' },
    },
  },
  ecs: {
    category: ['api'],
    type: ['creation'],
    fields: {
      'event.reason': { detail: 'reason' },
      'error.type': { detail: 'reason' },
      'kora.slack.channel_id': { detail: 'channel_id' },
      'kora.session_id': { row: 'caller_session_id' },
    },
  },
} as const satisfies SeamExportMapping;
