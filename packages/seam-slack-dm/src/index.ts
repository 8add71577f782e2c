export { SLACK_CLIENT_REASONS, seam, slackDmReplyFailedDetails } from './slack-dm-reply-failed.js';
export type { SlackDmReplyFailedDetails, SlackReplyFailureReason } from './slack-dm-reply-failed.js';
export { emitSlackReplyFailed } from './emit-slack-reply-failed.js';
export type { EmitSlackReplyFailedInput } from './emit-slack-reply-failed.js';
export { isSlackReplyFailureReason, mapSlackReplyError } from './map-slack-reply-error.js';
