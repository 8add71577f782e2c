/** How an audited call ended, as the activity chart counts it. */
export type CallOutcome = 'ok' | 'denied' | 'failed';

/**
 * Read a row's outcome from its seam's details. Denied: refused by policy (an MCP call's
 * `denied:<reason>` result, a reasoning call's `denied` status, every rejected webhook).
 * Failed: it went wrong (an MCP `error:<Name>` result, a reasoning `error` or `timeout`, every
 * Slack reply that could not be delivered). Anything else, unknown seams included, is ok.
 */
export function classifyOutcome(seam: string, details: Readonly<Record<string, unknown>>): CallOutcome {
  switch (seam) {
    case 'mcp.tool_called': {
      const result = details.result;
      if (typeof result !== 'string') return 'ok';
      if (result.startsWith('denied:')) return 'denied';
      return result.startsWith('error:') ? 'failed' : 'ok';
    }
    case 'reasoning.tool_called': {
      const status = details.tool_status;
      if (status === 'denied') return 'denied';
      return status === 'error' || status === 'timeout' ? 'failed' : 'ok';
    }
    case 'webhook.dead_letter':
      return 'denied';
    case 'slack_dm.reply_failed':
      return 'failed';
    default:
      return 'ok';
  }
}
