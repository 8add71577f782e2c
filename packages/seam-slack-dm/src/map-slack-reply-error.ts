import { readErrorTypeName } from '@kora/audit-sink';
import { SLACK_REPLY_FAILURE_REASON } from './slack-dm-reply-failed.js';
import type { SlackReplyFailureReason } from './slack-dm-reply-failed.js';

const SLACK_ERROR_CODE = /^[a-z0-9_]{1,64}$/;

/**
 * Map what a failed reply threw to a reason code, reading only codes, statuses and type
 * names, never messages or response bodies. `@slack/web-api` errors map by their `code`:
 *
 * - `slack_webapi_platform_error` → `slack_api:<data.error>` (`slack_api:channel_not_found`)
 * - `slack_webapi_http_error` → `transport:<statusCode>` (`transport:503`)
 * - `slack_webapi_request_error` → `transport:<original error's type>` (`transport:TimeoutError`)
 * - `slack_webapi_rate_limited_error` → `transport:429`
 *
 * Any other error → `transport:<ErrorName>`. A string that already is a reason
 * (`slack_client_not_configured`, `slack_client_import_error`, …) is returned as is; any other
 * value → `transport:Error`. Never throws.
 */
export function mapSlackReplyError(error: unknown): SlackReplyFailureReason {
  if (typeof error === 'string') return isSlackReplyFailureReason(error) ? error : 'transport:Error';
  if (typeof error !== 'object' || error === null) return 'transport:Error';
  try {
    const coded = error as { code?: unknown; data?: { error?: unknown } | null; statusCode?: unknown; original?: unknown };
    switch (coded.code) {
      case 'slack_webapi_platform_error': {
        const apiError = coded.data?.error;
        return typeof apiError === 'string' && SLACK_ERROR_CODE.test(apiError) ? `slack_api:${apiError}` : 'slack_api:unknown_error';
      }
      case 'slack_webapi_http_error': {
        const status = coded.statusCode;
        return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599
          ? `transport:${status}`
          : 'transport:WebAPIHTTPError';
      }
      case 'slack_webapi_rate_limited_error':
        return 'transport:429';
      case 'slack_webapi_request_error':
        return `transport:${readErrorTypeName(coded.original ?? error)}`;
      default:
        break;
    }
  } catch {
    // A hostile object (throwing getter, revoked proxy): fall back to its type name.
  }
  return `transport:${readErrorTypeName(error)}`;
}

/** Whether `value` has the shape of a reply failure reason. */
export function isSlackReplyFailureReason(value: unknown): value is SlackReplyFailureReason {
  return typeof value === 'string' && SLACK_REPLY_FAILURE_REASON.test(value);
}
