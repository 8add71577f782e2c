// Which gitleaks rules each credential family was derived from (gitleaks, MIT licence, copyright
// Zachary Rice). `derive-gitleaks-rules.ts --check` reads it: each gitleaks rule named here must
// still exist and still accept at least one of the family's positive examples. Families absent
// from this table (Telegram, Azure storage, GCP key ids, Google OAuth, Docker Hub, Okta, Mailchimp,
// Discord webhooks, New Relic, Groq, LangSmith and the generic assignments) are written by hand:
// gitleaks either lacks them or finds them only next to a vendor name.

/** Credential-family rule id → the gitleaks rule ids it covers. */
export const GITLEAKS_DERIVED_FAMILIES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'twilio-api-key': ['twilio-api-key'],
  'pypi-upload-token': ['pypi-upload-token'],
  'vault-token': ['vault-service-token', 'vault-batch-token'],
  'sentry-token': ['sentry-org-token', 'sentry-user-token'],
  'grafana-token': ['grafana-service-account-token', 'grafana-cloud-api-token', 'grafana-api-key'],
  'doppler-token': ['doppler-api-token'],
  'digitalocean-token': ['digitalocean-pat', 'digitalocean-refresh-token'],
  'linear-api-key': ['linear-api-key'],
  'shopify-token': ['shopify-access-token', 'shopify-custom-access-token', 'shopify-private-app-access-token', 'shopify-shared-secret'],
  'databricks-token': ['databricks-api-token'],
  'atlassian-api-token': ['atlassian-api-token'],
  'postman-api-key': ['postman-api-token'],
  'pulumi-access-token': ['pulumi-api-token'],
  'heroku-api-key': ['heroku-api-key-v2'],
  'notion-token': ['notion-api-token'],
  'terraform-cloud-token': ['hashicorp-tf-api-token'],
  'age-secret-key': ['age-secret-key'],
  '1password-token': ['1password-service-account-token', '1password-secret-key'],
  'gitlab-integration-token': [
    'gitlab-feed-token',
    'gitlab-incoming-mail-token',
    'gitlab-kubernetes-agent-token',
    'gitlab-oauth-app-secret',
    'gitlab-feature-flag-client-token',
    'gitlab-rrt',
  ],
  'planetscale-token': ['planetscale-api-token', 'planetscale-oauth-token', 'planetscale-password'],
  'huggingface-org-token': ['huggingface-organization-api-token'],
  'brevo-api-key': ['sendinblue-api-token'],
  'square-token': ['square-access-token'],
  'rubygems-api-key': ['rubygems-api-token'],
  'openshift-user-token': ['openshift-user-token'],
  'ai-provider-api-key': ['perplexity-api-key'],
});
