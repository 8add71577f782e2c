import type { SecretRule } from './secret-rules.js';

// Credential families with a distinctive literal prefix, most of them derived from gitleaks' rule
// set (MIT, copyright Zachary Rice; `src/__scripts__/derive-gitleaks-rules.ts` translates it and
// checks these rules against it), then the generic `api_key=` / `token:` assignments. They sit in
// `SECRET_RULES` after the older prefix-anchored rules and before the generic ones, so a token
// behind `Bearer ` or `secret=` is named after its family.
//
// Boundaries: nothing glued in front hides a secret, so no pattern has a look-behind before its
// literal: `cfg_dop_v1_…` and `xdop_v1_…` are found alike. Every quantifier is bounded, so an
// attempt starting inside a run costs at most the bound; a fixed-length family ends at a
// look-ahead, so a longer run is not mistaken for it.
//
// Triggers: the prefilter is one regex over every trigger, and V8 runs it fast only while the
// triggers start with few distinct characters: one more first character (an `f`, a `t`, a `q`)
// made it 2.7 times slower on a clean row. So each family's trigger is the part of its prefix
// that starts with a character the older rules' triggers already start with: `p.pt.` for
// `dp.pt.`, `n_api_` for `lin_api_`, `en=` for `token=`.

// Example secrets are assembled from pieces so that repository secret scanners, which look at
// source text, do not flag this file; the FAKE filler keeps them obviously unusable.
const fake = (...parts: string[]): string => parts.join('');
const FAKE = (count: number): string => 'FAKE'.repeat(count);
/** Hex filler that is plainly a counting sequence, not a key. */
const HEX = (length: number): string => '0123456789abcdef'.repeat(Math.ceil(length / 16)).slice(0, length);

/** Shannon entropy in bits per character: how far from repetitive a string is. */
function entropyOf(text: string): number {
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const share = count / text.length;
    bits -= share * Math.log2(share);
  }
  return bits;
}

const LETTER = /[A-Za-z]/;
const DIGIT = /[0-9]/;
const JWT_SHAPED = /^eyJ[A-Za-z0-9_-]*\.eyJ/;

/**
 * A value after `token:` or `api_key=` counts only when it looks generated: letters and digits
 * mixed and far from repetitive (3 bits per character or more), so `token: required`,
 * `token=missing` and `api_key=aaaaaaaaaaaaaaaa1` stay readable. A JSON Web Token is left to
 * `json-web-token`, which names it.
 */
function looksGenerated(secret: string): boolean {
  return LETTER.test(secret) && DIGIT.test(secret) && !JWT_SHAPED.test(secret) && entropyOf(secret) >= 3;
}

/** What follows the key of an assignment (`token"`, `token:`, `api_key=`, `apiKey '`, …), lower-cased. */
const ASSIGNMENT_TRIGGERS = ['"', "'", '\\', ':', '=', ' ', '\t'].flatMap((next) => [`en${next}`, `ey${next}`]);

/** The families, then the generic assignments last (an earlier rule wins where two overlap). */
export const CREDENTIAL_FAMILY_RULES: readonly SecretRule[] = Object.freeze([
  {
    id: 'twilio-api-key',
    description: 'A Twilio API key secret id (`SK` + 32 hex); the account SID (`AC…`) is an identifier and stays readable.',
    // `sk` alone fires on "task" and "ask"; `sk` followed by a hex digit is the smallest literal
    // every key holds that ordinary words rarely do.
    triggers: ['sk0', 'sk1', 'sk2', 'sk3', 'sk4', 'sk5', 'sk6', 'sk7', 'sk8', 'sk9', 'ska', 'skb', 'skc', 'skd', 'ske', 'skf'],
    patterns: [/SK[0-9a-fA-F]{32}(?![A-Za-z0-9])/],
    examples: {
      positive: [fake('SK', HEX(32)), fake('TWILIO_API_KEY=', 'SK', HEX(32))],
      negative: [
        fake('SK', HEX(31)),
        fake('SK', HEX(33)),
        fake('TASK', HEX(31)),
        fake('sk', HEX(32)),
        fake('AC', HEX(32)),
        'task_executor',
        'asked for SKU',
      ],
    },
  },
  {
    id: 'pypi-upload-token',
    description: 'A PyPI or TestPyPI upload token (`pypi-AgE…`, a macaroon).',
    triggers: ['pypi-age'],
    patterns: [/pypi-AgE[A-Za-z0-9_-]{50,1000}/],
    examples: {
      positive: [fake('pypi-', 'AgEIcHlwaS5vcmc', FAKE(14)), fake('password = ', 'pypi-', 'AgENdGVzdC5weXBpLm9yZw', FAKE(13))],
      negative: ['pypi-AgE', fake('pypi-', 'AgEIcHlwaS5vcmc', 'short'), 'pypi-agent', 'https://pypi.org/simple/'],
    },
  },
  {
    id: 'vault-token',
    description: 'A HashiCorp Vault service, batch or recovery token (`hvs.`, `hvb.`, `hvr.`).',
    // The legacy `s.` + 24 form has no literal a prefilter could use; `VAULT_TOKEN=s.…` is still
    // caught by `api-token-assignment`.
    triggers: ['hvs.', 'hvb.', 'hvr.'],
    patterns: [/hv[sbr]\.[A-Za-z0-9_-]{24,400}/],
    examples: {
      positive: [fake('hvs.', 'CAESI', FAKE(6)), fake('hvs.', 'CAESI', FAKE(23)), fake('X-Vault-Token: ', 'hvb.', 'AAAAAQ', FAKE(35))],
      negative: ['hvs.', 'hvs.example', fake('thvs.', 'FAKE'), 'hvr.short_token'],
    },
  },
  {
    id: 'sentry-token',
    description: 'A Sentry organization auth token (`sntrys_eyJ…`) or user auth token (`sntryu_` + 64 hex).',
    triggers: ['sntrys_', 'sntryu_'],
    patterns: [/sntrys_eyJ[A-Za-z0-9+/=_]{40,1000}/, /sntryu_[a-f0-9]{64}(?![A-Za-z0-9])/],
    examples: {
      positive: [
        fake('sntrys_', 'eyJpYXQiO', 'jE3MDAwMDAwMDAs', 'InJlZ2lvbl91cmwi', FAKE(5), '_', FAKE(10), 'FAK'),
        fake('SENTRY_AUTH_TOKEN=', 'sntryu_', HEX(64)),
      ],
      negative: ['sntrys_', fake('sntryu_', HEX(63)), 'sentry_dsn_missing'],
    },
  },
  {
    id: 'grafana-token',
    description: 'A Grafana service-account token (`glsa_`), Grafana Cloud access-policy token (`glc_`) or legacy API key (`eyJrIjoi…`).',
    triggers: ['glsa_', 'glc_', 'eyjrijoi'],
    patterns: [
      /glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}(?![A-Za-z0-9])/,
      /glc_[A-Za-z0-9+/]{32,400}={0,3}/,
      /eyJrIjoi[A-Za-z0-9]{70,400}={0,3}/,
    ],
    examples: {
      positive: [fake('glsa_', FAKE(8), '_', HEX(8)), fake('glc_', 'eyJvIjoi', FAKE(10)), fake('eyJrIjoi', FAKE(18))],
      negative: ['glsa_short_0000', 'glc_', 'glc_config_path', fake('eyJrIjoi', 'FAKE')],
    },
  },
  {
    id: 'doppler-token',
    description:
      'A Doppler personal, service, CLI, service-account, SCIM or audit token (`dp.pt.`, `dp.st.`, `dp.ct.`, `dp.sa.`, `dp.scim.`, `dp.audit.`).',
    triggers: ['p.pt.', 'p.st.', 'p.ct.', 'p.sa.', 'p.scim.', 'p.audit.'],
    // A service token may carry its config's slug: `dp.st.dev.…`.
    patterns: [/dp\.(?:pt|st|ct|sa|scim|audit)\.(?:[a-z0-9_-]{1,40}\.)?[A-Za-z0-9]{40,64}/],
    examples: {
      positive: [fake('dp.', 'pt.', FAKE(10), 'FAK'), fake('DOPPLER_TOKEN=', 'dp.', 'st.', 'dev.', FAKE(11))],
      negative: ['dp.pt.', fake('dp.', 'st.', 'short'), 'udp.st.port'],
    },
  },
  {
    id: 'digitalocean-token',
    description: 'A DigitalOcean personal access or refresh token (`dop_v1_`, `dor_v1_` + 64 hex).',
    triggers: ['p_v1_', 'r_v1_'],
    patterns: [/do[pr]_v1_[a-f0-9]{64}(?![A-Za-z0-9])/],
    examples: {
      positive: [
        fake('dop_', 'v1_', HEX(64)),
        fake('Bearer ', 'dop_', 'v1_', HEX(64)),
        fake('cfg ', 'dor_', 'v1_', HEX(64)),
        fake('cfg_', 'dop_', 'v1_', HEX(64)),
      ],
      negative: [fake('dop_', 'v1_', HEX(63)), fake('dop_', 'v2_', HEX(64)), 'dop_v1_'],
    },
  },
  {
    id: 'linear-api-key',
    description: 'A Linear API key or OAuth token (`lin_api_`, `lin_oauth_`).',
    triggers: ['n_api_', 'n_oauth_'],
    patterns: [/lin_(?:api|oauth)_[A-Za-z0-9]{32,80}/],
    examples: {
      positive: [fake('lin_', 'api_', FAKE(10)), fake('LINEAR_TOKEN: ', 'lin_', 'oauth_', HEX(64))],
      negative: ['lin_api_', 'lin_api_short', 'berlin_api_docs'],
    },
  },
  {
    id: 'shopify-token',
    description: 'A Shopify access token or shared secret (`shpat_`, `shpca_`, `shppa_`, `shpss_` + 32 hex).',
    triggers: ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
    patterns: [/shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![A-Za-z0-9])/],
    examples: {
      positive: [
        fake('shpat_', HEX(32)),
        fake('X-Shopify-Access-Token: ', 'shpca_', HEX(32)),
        fake('shppa_', HEX(32)),
        fake('secret=', 'shpss_', HEX(32)),
      ],
      negative: [fake('shpat_', HEX(31)), fake('shpxx_', HEX(32)), 'shpat_'],
    },
  },
  {
    id: 'databricks-token',
    description: 'A Databricks personal access token (`dapi` + 32 hex).',
    // `dapi` would add a first character to the prefilter and `api` fires on `api.slack.com`.
    triggers: [...'0123456789abcdef'].map((digit) => `api${digit}`),
    patterns: [/dapi[a-f0-9]{32}(?:-[0-9])?(?![A-Za-z0-9])/],
    examples: {
      positive: [fake('dapi', HEX(32)), fake('DATABRICKS_TOKEN=', 'dapi', HEX(32), '-2')],
      negative: [fake('dapi', HEX(31)), fake('dapi', HEX(33)), fake('xdapi', HEX(31)), 'dapi_host'],
    },
  },
  {
    id: 'telegram-bot-token',
    description: 'A Telegram bot token (`<bot id>:AA<33>`), alone or in a `/bot<token>/` API URL.',
    triggers: [':aa'],
    patterns: [/[0-9]{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])/],
    examples: {
      positive: [fake('123456789', ':AA', FAKE(8), 'F'), fake('https://api.telegram.org/bot', '1234567890', ':AA', FAKE(8), '_', '/getMe')],
      negative: [
        fake('12345', ':AA', FAKE(8), 'F'),
        fake('123456789', ':AA', FAKE(7)),
        '10:30:AA',
        '2024-05-01T12:34:56.789Z',
        'error:AAA',
      ],
    },
  },
  {
    id: 'azure-storage-key',
    description: 'An Azure storage account key or shared access key in a connection string (`AccountKey=…`, `SharedAccessKey=…`).',
    triggers: ['accountkey', 'sharedaccesskey'],
    patterns: [
      /(?:AccountKey|accountkey|ACCOUNTKEY)[ \t]{0,3}[:=][ \t]{0,3}["']?([A-Za-z0-9+/]{86}==)/,
      /(?:SharedAccessKey|sharedaccesskey|SHAREDACCESSKEY)[ \t]{0,3}[:=][ \t]{0,3}["']?([A-Za-z0-9+/]{42,43}=)/,
    ],
    examples: {
      positive: [
        fake('DefaultEndpointsProtocol=https;AccountName=kora;AccountKey=', FAKE(21), 'FA', '==;EndpointSuffix=core.windows.net'),
        fake('Endpoint=sb://kora.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=', FAKE(10), 'FAK', '='),
      ],
      negative: ['AccountKey=', 'AccountKey=short==', 'AccountName=kora;SharedAccessKeyName=RootManageSharedAccessKey'],
    },
  },
  {
    id: 'gcp-service-account-key-id',
    description:
      'The key id of a Google Cloud service-account key (`"private_key_id": "<40 hex>"`); the key itself is a `private-key` match.',
    triggers: ['private_key_id'],
    patterns: [/private_key_id(?:\\{0,3}["'])?[ \t]{0,3}[:=][ \t]{0,3}(?:\\{0,3}["'])?([a-f0-9]{40})(?![A-Za-z0-9])/],
    examples: {
      positive: [
        fake('{"type": "service_account", "project_id": "kora", "private_key_id": "', HEX(40), '"}'),
        fake('{\\"private_key_id\\":\\"', HEX(40), '\\"}'),
      ],
      negative: ['"private_key_id": ""', fake('"private_key_id": "', HEX(39), '"'), '"type": "service_account"'],
    },
  },
  {
    id: 'google-oauth-token',
    description: 'A Google OAuth client secret (`GOCSPX-…`) or access token (`ya29.…`).',
    triggers: ['gocspx-', 'a29.'],
    patterns: [/GOCSPX-[A-Za-z0-9_-]{28}(?![A-Za-z0-9_-])/, /ya29\.[A-Za-z0-9_-]{20,2048}/],
    examples: {
      positive: [fake('GOCSPX-', FAKE(7)), fake('Authorization: OAuth ', 'ya29.', 'a0AfB_', FAKE(10))],
      negative: [fake('GOCSPX-', FAKE(6)), 'ya29.', 'ya29.short'],
    },
  },
  {
    id: 'atlassian-api-token',
    description: 'An Atlassian (Jira, Confluence, Bitbucket) API token (`ATATT3…`).',
    triggers: ['atatt3'],
    patterns: [/ATATT3[A-Za-z0-9_=-]{150,250}/],
    examples: {
      positive: [fake('ATATT3', 'xFfGF0', FAKE(43), '=0FAKE01')],
      negative: ['ATATT3', fake('ATATT3', FAKE(10))],
    },
  },
  {
    id: 'postman-api-key',
    description: 'A Postman API key (`PMAK-` + 24 hex + `-` + 34 hex).',
    triggers: ['pmak-'],
    patterns: [/PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}(?![A-Za-z0-9])/],
    examples: {
      positive: [fake('PMAK-', HEX(24), '-', HEX(34))],
      negative: [fake('PMAK-', HEX(24)), 'PMAK-'],
    },
  },
  {
    id: 'pulumi-access-token',
    description: 'A Pulumi access token (`pul-` + 40 hex).',
    triggers: ['pul-'],
    patterns: [/pul-[a-f0-9]{40}(?![A-Za-z0-9])/],
    examples: {
      positive: [fake('PULUMI_ACCESS_TOKEN=', 'pul-', HEX(40))],
      negative: [fake('pul-', HEX(39)), fake('pul-', HEX(41)), 'pul-request'],
    },
  },
  {
    id: 'heroku-api-key',
    description: 'A Heroku API key (`HRKU-AA…`).',
    triggers: ['hrku-aa'],
    patterns: [/HRKU-AA[A-Za-z0-9_-]{58}(?![A-Za-z0-9_-])/],
    examples: {
      positive: [fake('HRKU-', 'AA', FAKE(14), 'FA')],
      negative: [fake('HRKU-', 'AA', FAKE(14)), 'HRKU-AA'],
    },
  },
  {
    id: 'notion-token',
    description: 'A Notion integration token (`ntn_…`, or the legacy `secret_` + 43).',
    triggers: ['ntn_', 'secret_'],
    patterns: [/ntn_[0-9]{11}[A-Za-z0-9]{35}(?![A-Za-z0-9])/, /secret_[A-Za-z0-9]{43}(?![A-Za-z0-9])/],
    examples: {
      positive: [fake('ntn_', '12345678901', FAKE(8), 'FAK'), fake('NOTION_KEY=', 'secret_', FAKE(10), 'FAK')],
      negative: [fake('ntn_', '12345678901', FAKE(8)), 'secret_key_base', fake('secret_', FAKE(11))],
    },
  },
  {
    id: 'terraform-cloud-token',
    description: 'A Terraform Cloud / HCP Terraform user, team or organization API token (`<14>.atlasv1.<60-70>`).',
    triggers: ['atlasv1.'],
    patterns: [/[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}/],
    examples: {
      positive: [fake('FAKEFAKEFAKE01', '.atlasv1.', FAKE(16))],
      negative: [fake('FAKEFAKEFAKE01', '.atlasv1.', FAKE(5)), 'registry.atlasv1.docs'],
    },
  },
  {
    id: 'age-secret-key',
    description: 'An age encryption secret key (`AGE-SECRET-KEY-1` + 58 bech32).',
    triggers: ['age-secret-key-1'],
    patterns: [/AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}(?![A-Za-z0-9])/],
    examples: {
      positive: [fake('AGE-SECRET-', 'KEY-1', 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L'.repeat(2).slice(0, 58))],
      negative: ['AGE-SECRET-KEY-1', fake('AGE-SECRET-', 'KEY-1', 'QPZRY9X8GF')],
    },
  },
  {
    id: '1password-token',
    description: 'A 1Password service-account token (`ops_eyJ…`) or account secret key (`A3-…`).',
    triggers: ['ops_eyj', 'a3-'],
    patterns: [
      /ops_eyJ[A-Za-z0-9+/]{250,4096}={0,3}/,
      /A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}(?![A-Za-z0-9])/,
    ],
    examples: {
      positive: [fake('OP_SERVICE_ACCOUNT_TOKEN=', 'ops_', 'eyJ', FAKE(63)), fake('A3-', 'FAKE01-', 'FAKEFAKE012-', 'FAKE0-FAKE1-FAKE2')],
      negative: [fake('ops_', 'eyJ', FAKE(5)), 'A3-paper', 'A3-FAKE01'],
    },
  },
  {
    id: 'docker-hub-token',
    description: 'A Docker Hub personal or organization access token (`dckr_pat_`, `dckr_oat_`).',
    triggers: ['r_pat_', 'r_oat_'],
    patterns: [/dckr_(?:pat|oat)_[A-Za-z0-9_-]{24,64}/],
    examples: {
      positive: [fake('dckr_', 'pat_', FAKE(6), 'FAK')],
      negative: ['dckr_pat_', fake('dckr_', 'pat_', 'short')],
    },
  },
  {
    id: 'okta-api-token',
    description: 'An Okta API token in its `SSWS` authorization (the token part).',
    triggers: ['ssws'],
    patterns: [/SSWS[ \t]{1,8}(00[A-Za-z0-9_-]{40})(?![A-Za-z0-9_-])/],
    examples: {
      positive: [fake('Authorization: SSWS ', '00', FAKE(10))],
      negative: ['SSWS', 'SSWS token missing', fake('SSWS ', '00', FAKE(9))],
    },
  },
  {
    id: 'mailchimp-api-key',
    description: 'A Mailchimp API key (32 hex + `-us` + data-centre number).',
    triggers: [...'123456789'].map((digit) => `-us${digit}`),
    patterns: [/[a-f0-9]{32}-us[0-9]{1,2}(?![A-Za-z0-9])/],
    examples: {
      positive: [fake(HEX(32), '-us', '21')],
      negative: ['en-us', fake(HEX(31), '-us21'), fake(HEX(32), '-user')],
    },
  },
  {
    id: 'discord-webhook-url',
    description: 'A Discord webhook URL, whose path is the credential.',
    triggers: ['scord.com/api/webhooks/', 'scordapp.com/api/webhooks/'],
    patterns: [/(?:https?:\/\/)?(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/[0-9]{17,20}\/[A-Za-z0-9_-]{60,68}/],
    examples: {
      positive: [fake('https://discord.com/api/', 'webhooks/', '123456789012345678/', FAKE(17))],
      negative: ['https://discord.com/api/webhooks/', 'https://discord.com/developers/docs'],
    },
  },
  {
    id: 'gitlab-integration-token',
    description:
      'Any other GitLab token: feed, incoming-mail, agent, OAuth-application, feature-flag or runner-registration (`glft-`, `glimt-`, `glagent-`, `gloas-`, `glffct-`, `GR1348941`).',
    triggers: ['glft-', 'glimt-', 'glagent-', 'gloas-', 'glffct-', 'gr1348941'],
    patterns: [/(?:gl(?:ft|imt|agent|oas|ffct)-|GR1348941)[A-Za-z0-9_-]{20,64}/],
    examples: {
      positive: [
        fake('glft-', FAKE(5)),
        fake('GR1348941', FAKE(5)),
        fake('gloas-', FAKE(16)),
        fake('glimt-', FAKE(6), 'F'),
        fake('glagent-', FAKE(12), 'FA'),
        fake('glffct-', FAKE(5)),
      ],
      negative: ['glft-short', 'GR1348941', 'gloas-'],
    },
  },
  {
    id: 'planetscale-token',
    description: 'A PlanetScale service token, OAuth token or database password (`pscale_tkn_`, `pscale_oauth_`, `pscale_pw_`).',
    triggers: ['pscale_tkn_', 'pscale_oauth_', 'pscale_pw_'],
    patterns: [/pscale_(?:tkn|oauth|pw)_[A-Za-z0-9_=.-]{32,64}/],
    examples: {
      positive: [fake('pscale_', 'pw_', FAKE(8)), fake('pscale_', 'tkn_', FAKE(8)), fake('pscale_', 'oauth_', FAKE(8))],
      negative: ['pscale_pw_', fake('pscale_', 'pw_', 'short')],
    },
  },
  {
    id: 'new-relic-api-key',
    description: 'A New Relic user API key (`NRAK-` + 27).',
    triggers: ['nrak-'],
    patterns: [/NRAK-[A-Z0-9]{27}(?![A-Za-z0-9])/],
    examples: {
      positive: [fake('NRAK-', 'FAKE'.repeat(6), 'FAK')],
      negative: [fake('NRAK-', 'FAKE'.repeat(6)), 'NRAK-'],
    },
  },
  {
    id: 'huggingface-org-token',
    description: 'A Hugging Face organization API token (`api_org_` + 34).',
    triggers: ['api_org_'],
    patterns: [/api_org_[A-Za-z]{34}(?![A-Za-z0-9])/],
    examples: {
      positive: [fake('api_', 'org_', FAKE(8), 'FA')],
      negative: ['api_org_id', fake('api_', 'org_', FAKE(8))],
    },
  },
  {
    id: 'brevo-api-key',
    description: 'A Brevo (Sendinblue) API or SMTP key (`xkeysib-…`, `xsmtpsib-…`).',
    triggers: ['xkeysib-', 'xsmtpsib-'],
    patterns: [/x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}(?![A-Za-z0-9])/],
    examples: {
      positive: [fake('xkeysib-', HEX(64), '-', FAKE(4))],
      negative: [fake('xkeysib-', HEX(64)), 'xkeysib-'],
    },
  },
  {
    id: 'square-token',
    description: 'A Square access token or OAuth secret (`sq0atp-…`, `sq0csp-…`).',
    triggers: ['sq0atp-', 'sq0csp-'],
    patterns: [/sq0(?:atp|csp)-[A-Za-z0-9_-]{22,60}/],
    examples: {
      positive: [fake('sq0', 'atp-', FAKE(6)), fake('sq0', 'csp-', FAKE(11))],
      negative: ['sq0atp-', fake('sq0', 'atp-', 'short')],
    },
  },
  {
    id: 'rubygems-api-key',
    description: 'A RubyGems API key (`rubygems_` + 48 hex).',
    triggers: ['rubygems_'],
    patterns: [/rubygems_[a-f0-9]{48}(?![A-Za-z0-9])/],
    examples: {
      positive: [fake('GEM_HOST_API_KEY=', 'rubygems_', HEX(48))],
      negative: ['rubygems_api_key', fake('rubygems_', HEX(47))],
    },
  },
  {
    id: 'openshift-user-token',
    description: 'An OpenShift user token (`sha256~` + 43).',
    triggers: ['sha256~'],
    patterns: [/sha256~[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/],
    examples: {
      positive: [fake('sha256', '~', FAKE(10), 'FAK')],
      negative: ['sha256~', 'sha256=00112...(truncated)', fake('sha256', '~', FAKE(10))],
    },
  },
  {
    id: 'ai-provider-api-key',
    description: 'A Perplexity, Groq or LangSmith API key (`pplx-`, `gsk_`, `lsv2_pt_`, `lsv2_sk_`).',
    triggers: ['pplx-', 'gsk_', 'sv2_'],
    patterns: [
      /pplx-[A-Za-z0-9]{48}(?![A-Za-z0-9])/,
      /gsk_[A-Za-z0-9]{52}(?![A-Za-z0-9])/,
      /lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}(?![A-Za-z0-9])/,
    ],
    examples: {
      positive: [fake('pplx-', FAKE(12)), fake('gsk_', FAKE(13)), fake('lsv2_', 'pt_', HEX(32), '_', HEX(10))],
      negative: [fake('pplx-', FAKE(11)), 'gsk_config', 'lsv2_pt_'],
    },
  },
  {
    id: 'api-token-assignment',
    description:
      'The value of an API-key or token assignment when it looks generated (`api_key=…`, `"access_token": "…"`, `X-Api-Key: …`).',
    triggers: ASSIGNMENT_TRIGGERS,
    patterns: [
      // The key must end at the keyword (`GITHUB_TOKEN`, `x-api-key`, `accessToken` and `mytoken`
      // count, `token_type` does not); `=` only pads the value's end, so a rejected
      // value cannot hide another `token=` inside it and each character is scanned about once.
      // Quotes may be escaped up to three times: JSON text inside a JSON string inside another.
      /(?:token|api[_-]?(?:[Kk]ey|[Tt]oken)|Token|Api[_-]?(?:[Kk]ey|[Tt]oken)|TOKEN|API[_-]?(?:KEY|TOKEN))(?:\\{0,3}["'])?[ \t]{0,3}(?::[ \t]{0,3}|=)[ \t]{0,3}(?:\\{0,3}["'])?([A-Za-z0-9_.~+/-]{16,4096}={0,2})/,
    ],
    accept: looksGenerated,
    examples: {
      positive: [
        fake('api_key=', 'FAKE0123456789abcdEFGH'),
        fake('mytoken=', 'FAKE0123456789abcdEFGH'),
        fake('{"access_token":"', 'FAKE', HEX(20), '"}'),
        fake('X-Api-Key: ', 'FAKEkey', HEX(24)),
        fake('TWILIO_AUTH_TOKEN=', HEX(32)),
        fake("apiKey: '", 'FAKE_', HEX(16), "'"),
        fake('VAULT_TOKEN=', 's.', 'FAKEvau1tT0ken', '0123456789'),
        fake('{\\"refreshToken\\": \\"', FAKE(4), HEX(12), '\\"}'),
      ],
      negative: [
        'token: required',
        'token=missing',
        'api_key=<redacted>',
        'token_type=bearer',
        'token: kora__create_sea_ticket_tool',
        'api_key=aaaaaaaaaaaaaaaaaaaa1',
        'max_tokens: 4096',
        'next_page_token=',
        'x-api-key: [REDACTED:anthropic-api-key]',
      ],
    },
  },
]);
