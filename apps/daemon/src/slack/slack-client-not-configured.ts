/** Thrown when a Slack message is to be sent but no bot token or API URL is configured. */
export class SlackClientNotConfigured extends Error {
  constructor() {
    super('the Slack client is not configured (KORA_SLACK_BOT_TOKEN, KORA_SLACK_API_URL)');
    this.name = 'SlackClientNotConfigured';
  }
}
