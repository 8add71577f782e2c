import { Buffer } from 'node:buffer';
import { CREDENTIAL_FAMILY_RULES } from './credential-family-rules.js';

/**
 * One credential or personal-data shape the guard redacts.
 *
 * Patterns are written without the `g` flag; `findSecrets` compiles its own global copies, so
 * the table's `RegExp` objects are never used statefully.
 */
export interface SecretRule {
  /** Kebab-case id written into `[REDACTED:<id>]` and into findings, e.g. `slack-bot-token`. */
  readonly id: string;
  /** One sentence: what the rule finds. */
  readonly description: string;
  /**
   * Lower-case literals, at least one of which every match contains. They are the prefilter:
   * a rule's patterns run only when the lower-cased text contains one of its triggers (or
   * holds its `runTrigger`). Empty only for a rule that no literal marks.
   */
  readonly triggers: readonly string[];
  /**
   * For a rule no literal marks (a card number is digits only): every match lies within a run
   * of at least `length` characters that `characters` (one class of ASCII characters) matches.
   * The prefilter finds such a run reading one character in `length`, so a clean string stays
   * as cheap as with literal triggers alone.
   */
  readonly runTrigger?: { readonly characters: RegExp; readonly length: number };
  /**
   * The shapes. A match is the secret; when a pattern has unnamed capturing groups, the first
   * one that took part in the match is the secret instead (so `Bearer ` or `password=` stays
   * readable). Named groups are helpers: a group named `from` (in a look-behind) moves the
   * secret's start back to its own, and any other (a separator a back-reference repeats) is
   * not the secret.
   * Every pattern is linear-time: bounded quantifiers and no nested ambiguity. A pattern starts
   * at a literal (`xoxb-`, `AIza`), not after a look-behind boundary, since whatever is glued in
   * front of a secret (`cfg_AIza…`) is chosen by whoever wrote the text, and a boundary would let
   * it hide the secret; where a failed attempt could scan far (a JWT, an e-mail's local part),
   * the pattern is written so that attempts starting inside one run cannot each scan the run.
   */
  readonly patterns: readonly RegExp[];
  /** A last check for shapes a regex cannot judge alone; `match` is the whole regex match. */
  readonly accept?: (secret: string, match: string) => boolean;
  /** True positives (each must be found under this id) and look-alikes (each must stay clean). */
  readonly examples: {
    /** Strings containing this rule's secret. */
    readonly positive: readonly string[];
    /** Strings no rule may flag. */
    readonly negative: readonly string[];
  };
}

// Example secrets are assembled from pieces so that repository secret scanners, which look at
// source text, do not flag this file; the FAKE filler keeps them obviously unusable.
const fake = (...parts: string[]): string => parts.join('');
const FAKE24 = 'FAKE'.repeat(6);
const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

// Control characters or U+FFFD (an invalid UTF-8 sequence) mean the bytes were not text.
const PRINTABLE = /^[^\x00-\x1f\x7f\ufffd]{2,1024}$/;

/** Whether a match starts at an `Authorization`/`Proxy-Authorization` header (or its key). */
const AFTER_AUTHORIZATION = /^(?:proxy-)?authorization/i;

/**
 * After `Authorization:` anything is a credential; a bare `Basic word` only counts when the
 * word decodes to printable `user:pass` text, so prose like "Basic realm" stays readable.
 */
function isBasicCredential(secret: string, match: string): boolean {
  if (AFTER_AUTHORIZATION.test(match)) return true;
  const decoded = Buffer.from(secret, 'base64').toString('utf8');
  return decoded.includes(':') && PRINTABLE.test(decoded);
}

/** The Luhn (mod 10) check every payment card number passes. */
function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = digits.length - 1, double = false; index >= 0; index -= 1, double = !double) {
    let digit = digits.charCodeAt(index) - 48;
    if (double) digit = digit > 4 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

// Issuer prefixes by length (ISO/IEC 7812): 13 digits are Visa's old numbers, 14 Diners, 15
// Amex; 16 to 19 start with 2 (Mastercard's 2-series) to 6 (Discover, UnionPay, Maestro).
// Unix times in milliseconds (13 digits, starting with 1 until 2033), order numbers and other
// counters mostly fall outside these, and Luhn passes only one in ten of the rest.
const CARD_PREFIX: Readonly<Record<number, RegExp>> = { 13: /^4/, 14: /^3[0689]/, 15: /^3[47]/ };
const CARD_SEPARATORS = /[ -]/g;

/** A payment card number: its digits have a card's length and issuer prefix and pass Luhn. */
function isCardNumber(secret: string): boolean {
  const digits = secret.replace(CARD_SEPARATORS, '');
  const prefix = CARD_PREFIX[digits.length] ?? /^[2-6]/;
  return digits.length >= 13 && digits.length <= 19 && prefix.test(digits) && passesLuhn(digits);
}

const TOKEN_SYMBOL = /[0-9._~+/=-]/;
const INNER_UPPER = /[A-Z]/;

/**
 * After `Authorization:` anything is a credential; a bare `Bearer word` is only one when the word
 * looks generated (a digit, a symbol, or a capital past the first letter), so prose like
 * "the bearer authentication failed" stays readable.
 */
function isBearerCredential(secret: string, match: string): boolean {
  if (AFTER_AUTHORIZATION.test(match)) return true;
  return TOKEN_SYMBOL.test(secret) || INNER_UPPER.test(secret.slice(1));
}

/**
 * The guard's rules, most specific first: when matches of two rules overlap, the earlier rule
 * wins, so e.g. `Bearer <jwt>` reports `json-web-token` and `xoxe.xoxp-…` is not a user token.
 */
export const SECRET_RULES: readonly SecretRule[] = Object.freeze([
  {
    id: 'slack-config-token',
    description: 'A Slack app-configuration or rotated access token (`xoxe.xoxp-…`, `xoxe.xoxb-…`).',
    triggers: ['xox'],
    patterns: [/xoxe\.xox[a-z]-[A-Za-z0-9-]{10,1000}/],
    examples: {
      positive: [fake('xoxe.', 'xoxp-1-', 'Mi0yLTEyMzQ', FAKE24), `token=${fake('xoxe.', 'xoxb-1-', FAKE24)}`],
      negative: ['xoxe.xoxp-', fake('xoxe.', 'xoxp-1-', 'short')],
    },
  },
  {
    id: 'slack-refresh-token',
    description: 'A Slack token-rotation or configuration refresh token (`xoxe-…`).',
    triggers: ['xox'],
    patterns: [/xoxe-[A-Za-z0-9-]{10,1000}/],
    examples: {
      positive: [fake('xoxe-', '1-', 'My0xLTEyMzQ', FAKE24)],
      negative: ['xoxe-', 'xoxe-1-abc', fake('xoxe_', '1_', FAKE24)],
    },
  },
  {
    id: 'slack-bot-token',
    description: 'A Slack bot token (`xoxb-…`).',
    triggers: ['xox'],
    patterns: [/xoxb-[A-Za-z0-9-]{10,250}/],
    examples: {
      positive: [
        fake('xoxb-', '1234567890-1234567890123-', FAKE24),
        fake('Bearer ', 'xoxb-', '123-456-abc'),
        fake('SLACK_BOT_TOKEN=', 'xoxb-', '1234-5678-', FAKE24),
      ],
      negative: ['xoxb-', 'xoxb-short', 'inbox-b-1234567890', 'D01CHAN01', 'C0123ABCD', '1700000000.000100', 'kora__create_sea_ticket'],
    },
  },
  {
    id: 'slack-user-token',
    description: 'A Slack user token (`xoxp-…`).',
    triggers: ['xox'],
    patterns: [/xoxp-[A-Za-z0-9-]{10,250}/],
    examples: {
      positive: [fake('xoxp-', '1234567890-1234567890-1234567890123-', 'fakefakefakefakefakefakefakefake')],
      negative: ['xoxp-', 'xoxp-123'],
    },
  },
  {
    id: 'slack-token',
    description: 'Any other Slack token type: legacy, session or cookie (`xoxa-`, `xoxc-`, `xoxd-`, `xoxo-`, `xoxr-`, `xoxs-`).',
    triggers: ['xox'],
    // `%` because browser `xoxd-` cookies are URL-encoded.
    patterns: [/xox[acdors]-[A-Za-z0-9%-]{10,500}/],
    examples: {
      positive: [fake('xoxc-', '1234567890-', FAKE24), fake('xoxd-', 'FAKE%2Bcookie%2F', FAKE24)],
      negative: ['xoxa-', fake('xoxz-', '1234567890-', FAKE24)],
    },
  },
  {
    id: 'slack-app-token',
    description: 'A Slack app-level token (`xapp-…`).',
    triggers: ['xapp-'],
    patterns: [/xapp-[A-Za-z0-9-]{10,250}/],
    examples: {
      positive: [fake('xapp-', '1-A0123456789-1234567890123-', 'fakefakefake0123456789abcdef')],
      negative: ['xapp-', 'xapp-short', 'xapp_config'],
    },
  },
  {
    id: 'slack-webhook-url',
    description: 'A Slack incoming-webhook or workflow-trigger URL, whose path is the credential.',
    triggers: ['hooks.slack.com'],
    patterns: [
      /(?:https?:\/\/)?hooks\.slack\.com\/(?:services\/T[A-Z0-9]{6,12}\/B[A-Z0-9]{6,14}|workflows\/T[A-Z0-9]{6,12}\/A[A-Z0-9]{6,14}\/[0-9]{6,24})\/[A-Za-z0-9]{16,64}/,
    ],
    examples: {
      positive: [
        fake('https://hooks.slack.com/', 'services/', 'T00000000/', 'B00000000/', FAKE24),
        fake('hooks.slack.com/', 'workflows/', 'T00000000/A00000000/123456789012/', FAKE24),
      ],
      negative: ['https://hooks.slack.com/services/', 'https://api.slack.com/robots', 'hooks.slack.com/services/T000/B000/short'],
    },
  },
  {
    id: 'anthropic-oauth-token',
    description: 'An Anthropic OAuth access or refresh token (`sk-ant-oat01-…`, `sk-ant-ort01-…`).',
    triggers: ['sk-ant-'],
    patterns: [/sk-ant-o(?:at|rt)[0-9]{2}-[A-Za-z0-9_-]{8,300}/],
    examples: {
      positive: [fake('sk-ant-', 'oat01-', 'FAKE'.repeat(20)), fake('sk-ant-', 'ort01-', FAKE24)],
      negative: ['sk-ant-oat', 'sk-ant-oat01-'],
    },
  },
  {
    id: 'anthropic-admin-key',
    description: 'An Anthropic Admin API key (`sk-ant-admin01-…`).',
    triggers: ['sk-ant-'],
    patterns: [/sk-ant-admin[0-9]{2}-[A-Za-z0-9_-]{8,300}/],
    examples: {
      positive: [fake('sk-ant-', 'admin01-', FAKE24, FAKE24)],
      negative: ['sk-ant-admin'],
    },
  },
  {
    id: 'anthropic-api-key',
    description: 'An Anthropic API key (`sk-ant-api03-…`) or any other `sk-ant-` credential.',
    triggers: ['sk-ant-'],
    patterns: [/sk-ant-[A-Za-z0-9_-]{8,300}/],
    examples: {
      positive: [
        fake('sk-ant-', 'api03-', 'FAKE'.repeat(23), '-FAKEAA'),
        fake('sk-ant-', 'api03-secret'),
        fake('x-api-key: ', 'sk-ant-', 'api03-', FAKE24),
      ],
      negative: ['desk-ant-farm', 'skip-ant', 'sk-ant-', 'sk-ant-short', 'task-ant-api03'],
    },
  },
  {
    id: 'openai-api-key',
    description: 'An OpenAI API key: project, service-account or admin (`sk-proj-…`) or a legacy 48-character `sk-…` key.',
    triggers: ['sk-'],
    patterns: [
      /sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{16,300}/,
      // Exactly 48 with a boundary after: a longer `sk-` id is something else.
      /sk-[A-Za-z0-9]{48}(?![A-Za-z0-9_-])/,
    ],
    examples: {
      positive: [
        fake('sk-', 'proj-', FAKE24, FAKE24),
        fake('sk-', 'svcacct-', FAKE24),
        fake('sk-', 'FAKEFAKEFAKEFAKEFAKE', 'T3BlbkFJ', 'FAKEFAKEFAKEFAKEFAKE'),
      ],
      negative: [
        'sk-proj-',
        fake('sk-', 'FAKE'.repeat(11), 'FAK'),
        fake('sk-', 'FAKE'.repeat(12), 'F'),
        fake('task-', 'FAKE'.repeat(11)),
        'risk-level-high',
        'sk-learn',
        '0192f7c2-6d3e-7a4b-9c1d-2e3f4a5b6c7d',
      ],
    },
  },
  {
    id: 'stripe-secret-key',
    description: 'A Stripe secret key (`sk_live_…`, `sk_test_…`).',
    triggers: ['sk_'],
    patterns: [/sk_(?:live|test)_[A-Za-z0-9]{10,247}/],
    examples: {
      positive: [fake('sk_', 'live_', FAKE24), fake('sk_', 'test_', '51FAKE', FAKE24)],
      negative: ['sk_live_', 'sk_test_short', fake('disk_', 'live_', 'short')],
    },
  },
  {
    id: 'stripe-restricted-key',
    description: 'A Stripe restricted key (`rk_live_…`, `rk_test_…`).',
    triggers: ['rk_'],
    patterns: [/rk_(?:live|test)_[A-Za-z0-9]{10,247}/],
    examples: {
      positive: [fake('rk_', 'live_', FAKE24), fake('rk_', 'test_', FAKE24)],
      negative: ['rk_live_', fake('work_', 'live_', 'short'), 'work_life_balance'],
    },
  },
  {
    id: 'stripe-webhook-secret',
    description: 'A Stripe webhook signing secret (`whsec_…`).',
    triggers: ['whsec_'],
    patterns: [/whsec_[A-Za-z0-9+/=]{20,128}/],
    examples: {
      positive: [fake('whsec_', FAKE24, '0123456789')],
      negative: ['whsec_', 'whsec_short'],
    },
  },
  {
    id: 'aws-access-key-id',
    description: 'An AWS long-term access key id (`AKIA` + 16).',
    triggers: ['akia'],
    patterns: [/AKIA[A-Z0-9]{16}(?![A-Za-z0-9])/],
    examples: {
      positive: [fake('AKIA', 'FAKEFAKEFAKE0000'), fake('aws_access_key_id=', 'AKIA', 'FAKEFAKEFAKE0000')],
      negative: [
        fake('AKIA', 'FAKEFAKEFAKE000'),
        fake('AKIA', 'FAKEFAKEFAKE00000'),
        fake('akia', 'fakefakefake0000'),
        '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      ],
    },
  },
  {
    id: 'aws-temporary-access-key-id',
    description: 'An AWS temporary (STS) access key id (`ASIA` + 16).',
    triggers: ['asia'],
    patterns: [/ASIA[A-Z0-9]{16}(?![A-Za-z0-9])/],
    examples: {
      positive: [fake('ASIA', 'FAKEFAKEFAKE0000')],
      negative: ['Asia/Tokyo', 'ASIA_PACIFIC', fake('ASIA', 'FAKEFAKEFAKE000')],
    },
  },
  {
    id: 'aws-secret-access-key',
    description: 'An AWS secret access key, recognised only next to its label since 40 base64 characters alone could be anything.',
    triggers: ['secret'],
    patterns: [
      // `\\?` before a quote: the pair may sit in JSON that was itself escaped into a string.
      /(?:aws_?)?secret_?(?:access_?)?key\\?["']?[ \t]{0,3}[:=][ \t]{0,3}\\?["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/i,
    ],
    examples: {
      positive: [
        fake('aws_secret_access_key=', 'FAKE/'.repeat(8)),
        fake('AWS_SECRET_ACCESS_KEY="', 'FAKE+'.repeat(8), '"'),
        fake('{"SecretAccessKey": "', 'fake/'.repeat(8), '"}'),
      ],
      negative: [
        'aws_secret_access_key=',
        'aws_secret_access_key=tooShort',
        'aws_secret_access_key_id',
        'da39a3ee5e6b4b0d3255bfef95601890afd80709',
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ],
    },
  },
  {
    id: 'github-token',
    description:
      'A GitHub token: personal, OAuth, user-to-server, server-to-server or refresh (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`) or fine-grained (`github_pat_`).',
    triggers: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    patterns: [/gh[pousr]_[A-Za-z0-9]{36,255}/, /github_pat_[A-Za-z0-9_]{22,255}/],
    examples: {
      positive: [
        fake('ghp_', 'FAKE'.repeat(9)),
        fake('gho_', 'FAKE'.repeat(9)),
        fake('ghs_', 'FAKE'.repeat(9), 'more'),
        fake('github_pat_', '11FAKE', '_', 'FAKE'.repeat(10)),
      ],
      negative: [fake('ghp_', 'FAKE'.repeat(8), 'FAK'), fake('ghx_', 'FAKE'.repeat(9)), 'github_pat_', 'high_priority_queue'],
    },
  },
  {
    id: 'gitlab-token',
    description:
      'A GitLab token: personal, deploy, runner, pipeline-trigger, CI-build or service-account (`glpat-`, `gldt-`, `glrt-`, `glptt-`, `glcbt-`, `glsoat-`).',
    triggers: ['glpat-', 'gldt-', 'glrt-', 'glptt-', 'glcbt-', 'glsoat-'],
    patterns: [/gl(?:pat|dt|rt|ptt|cbt|soat)-[A-Za-z0-9_-]{20,64}/],
    examples: {
      positive: [fake('glpat-', FAKE24), fake('glrt-', FAKE24)],
      negative: ['glpat-', 'glpat-short', 'glob-pattern'],
    },
  },
  {
    id: 'npm-token',
    description: 'An npm access token (`npm_` + 36).',
    triggers: ['npm_'],
    patterns: [/npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/],
    examples: {
      positive: [fake('npm_', 'FAKE'.repeat(9)), fake('//registry.npmjs.org/:_authToken=', 'npm_', 'FAKE'.repeat(9))],
      negative: ['npm_config_registry', 'npm_package_version', fake('npm_', 'FAKE'.repeat(8), 'FAK')],
    },
  },
  {
    id: 'huggingface-token',
    description: 'A Hugging Face access token (`hf_` + 34 or more).',
    triggers: ['hf_'],
    patterns: [/hf_[A-Za-z0-9]{34,64}/],
    examples: {
      positive: [fake('hf_', 'FAKE'.repeat(8), 'fa')],
      negative: ['hf_model_cache', fake('hf_', 'FAKE'.repeat(8), 'f'), 'shf_model_cache'],
    },
  },
  {
    id: 'google-api-key',
    description: 'A Google API key (`AIza` + 35).',
    triggers: ['aiza'],
    patterns: [/AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/],
    examples: {
      positive: [fake('AIza', 'Sy', 'FAKE'.repeat(8), '_'), fake('key=', 'AIza', 'Sy', 'FAKE'.repeat(8), '-')],
      negative: [fake('AIza', 'FAKE'.repeat(8)), 'AIzaSy', fake('AIza', 'Sy', 'FAKE'.repeat(8), '_x')],
    },
  },
  {
    id: 'sendgrid-api-key',
    description: 'A SendGrid API key (`SG.<id>.<secret>`).',
    triggers: ['sg.'],
    patterns: [/SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}/],
    examples: {
      positive: [fake('SG.', 'FAKEFAKEFAKEFAKEFAKE00', '.', 'FAKE'.repeat(10), 'FAK')],
      negative: ['msg.text', 'SG.short.x', 'SG.'],
    },
  },
  ...CREDENTIAL_FAMILY_RULES,
  {
    id: 'private-key',
    description: 'A PEM, OpenSSH or PGP private-key block, from its BEGIN line to its END line (or as far as it goes when truncated).',
    triggers: ['-----begin'],
    patterns: [
      // The body may hold encryption headers (`Proc-Type: 4,ENCRYPTED`) and JSON-escaped `\n`;
      // `-(?!----)` lets it contain dashes but stop at the END marker.
      /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[A-Za-z0-9+/=\s:,.\\]|-(?!----)){0,65536}(?:-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----)?/,
    ],
    examples: {
      positive: [
        fake(
          '-----BEGIN ',
          'RSA PRIVATE KEY-----\n',
          'MIIEFAKEFAKEFAKE',
          'FAKE'.repeat(10),
          '\n',
          'FAKEFAKE==\n',
          '-----END RSA ',
          'PRIVATE KEY-----',
        ),
        fake('-----BEGIN OPENSSH ', 'PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA', 'FAKE', '\\n-----END OPENSSH ', 'PRIVATE KEY-----'),
        fake(
          '-----BEGIN ',
          'RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,FAKE0123\n\nFAKEFAKE\n-----END RSA ',
          'PRIVATE KEY-----',
        ),
        fake('-----BEGIN ', 'PRIVATE KEY-----\nMIIEvFAKEFAKE'),
      ],
      negative: ['-----BEGIN CERTIFICATE-----', '-----BEGIN PUBLIC KEY-----\nMIIBFAKE\n-----END PUBLIC KEY-----', 'BEGIN PRIVATE KEY'],
    },
  },
  {
    id: 'json-web-token',
    description: 'A JSON Web Token (`eyJ…` header, `eyJ…` claims, optional signature).',
    triggers: ['eyj'],
    patterns: [
      // The header stops at the next `eyJ`: attempts may start at every `eyJ` of a run (a prefix
      // such as `id_token_` must not hide a token), and each then scans only up to the next one,
      // so a run costs its length once. A header holding `eyJ` is redacted from there on.
      /eyJ(?:[A-Za-df-z0-9_-]|e(?!yJ)){4,4096}\.eyJ[A-Za-z0-9_-]{4,8192}\.[A-Za-z0-9_-]{0,4096}/,
    ],
    examples: {
      positive: [
        fake('eyJhbGciOiJIUzI1NiJ9', '.', 'eyJzdWIiOiJmYWtlIn0', '.', 'FAKEsignatureFAKEsignature'),
        fake('Bearer ', 'eyJhbGciOiJub25lIn0', '.', 'eyJzdWIiOiJmYWtlIn0', '.'),
      ],
      negative: ['eyJ', 'eyJhbGciOiJIUzI1NiJ9', 'eyJfoo.bar.baz', '2024-05-01T12:34:56.789Z'],
    },
  },
  {
    id: 'url-password',
    description: 'The password of a URL with credentials (`scheme://user:password@host`).',
    triggers: ['://'],
    patterns: [
      // Anchored at `://`, with the scheme (its last 2–32 characters) in a look-behind: a match
      // starting at the scheme could not begin inside a run of scheme characters without every
      // attempt in the run scanning it, and a boundary before it would let a prefix hide it.
      /(?<=[A-Za-z][A-Za-z0-9+.-]{1,31}):\/\/[^\s:/?#@"'<>]{0,256}:(?!\[REDACTED:)([^\s/?#@"'<>]{1,256})@/,
    ],
    examples: {
      positive: [
        fake('postgres://app:', 'FAKEpassw0rd', '@db.internal:5432/app'),
        fake('https://user:', 'p4ssFAKE', '@example.com/'),
        fake('redis://:', 'FAKEsecret', '@cache:6379'),
      ],
      negative: [
        'https://example.com:8443/path',
        'http://[2001:db8::1]:8080/',
        'postgres://app:@db/app',
        'transport:503',
        '2001:db8::1',
        '203.0.113.7',
      ],
    },
  },
  {
    id: 'payment-card',
    description:
      'A payment card number (PAN): 13–19 digits with a card issuer prefix that pass the Luhn check, plain or grouped by spaces or dashes.',
    triggers: [],
    // Every card, plain or grouped, is at least 13 characters of digits and separators.
    runTrigger: { characters: /[0-9 -]/, length: 13 },
    patterns: [
      // No digit glued on either side (a longer number is not a card) and not the fraction or
      // the integer part of a decimal number (`0.4111…`, a timestamp's microseconds); letters,
      // `_` and `-` may touch it (`C4111…`, `req_4111…`). At most 19 digits are read per
      // attempt, and attempts start only where a digit run does.
      /(?<![0-9])(?<![0-9]\.)[2-6][0-9]{12,18}(?![0-9]|\.[0-9])/,
      // Groups of four and one to three digits more (17 to 19), tried before the shorter forms
      // so that the longest card wins; one separator throughout.
      // Not inside a UUID (`01a24aeb-3001-7628-9312-46a9…`): its groups after the first can read
      // as a grouped card, and a writer's id is in its lines.
      /(?<![0-9])(?<![0-9]\.)(?<![0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){0,2})[2-6][0-9]{3}(?<by4>[ -])[0-9]{4}\k<by4>[0-9]{4}\k<by4>[0-9]{4}\k<by4>[0-9]{1,3}(?![0-9]|\.[0-9])/,
      // Groups of four (the last one to four digits), or Amex and Diners 4-6-5 and 4-6-4. What
      // follows a separator may be anything, another number included: `4111 1111 1111 1111 7`
      // holds a card whatever the 7 is.
      /(?<![0-9])(?<![0-9]\.)(?<![0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){0,2})(?:[2-6][0-9]{3}(?<by4>[ -])[0-9]{4}\k<by4>[0-9]{4}\k<by4>[0-9]{1,4}|3[0-9]{3}(?<by6>[ -])[0-9]{6}\k<by6>[0-9]{4,5})(?![0-9]|\.[0-9])/,
    ],
    accept: isCardNumber,
    examples: {
      positive: [
        fake('4111', '1111', '1111', '1111'),
        fake('4111 ', '1111 ', '1111 ', '1111'),
        fake('5555-', '5555-', '5555-', '4444'),
        fake('3782 ', '822463 ', '10005'),
        fake('Mozilla/5.0 (card ', '4242424242424242', ')'),
        fake('X-Request-Id: req_', '4000056655665556'),
        fake('C', '4111111111111111'),
        fake('pan=', '6011', '1111', '1111', '1117', '&next=1'),
        fake('3782 ', '822463 ', '10005', ' 0'),
        fake('4111 ', '1111 ', '1111 ', '1111', ' 5'),
        fake('6011-', '1111-', '1111-', '1117-', '123'),
      ],
      negative: [
        '4111111111111112',
        '01a24aeb-3001-7628-9312-46a968057abc',
        'writer=01a24aeb-3007-7628-8201-46a968057abc host=h',
        '1700000000.000100',
        '1733450000123',
        '1733450000.123456',
        '+1 415 555 2671',
        '+44 20 7946 0958',
        'order-2026120600123',
        'ORD-2024-000123',
        '12345678-1234-1234-1234-123456789012',
        '0192f7c2-6d3e-7a4b-9c1d-2e3f4a5b6c7d',
        '94111111111111111',
        '41111111111111119',
        '0.4111111111111111',
        '4111 1111 1111 1112',
        'uptime 4111111111111111111111',
      ],
    },
  },
  {
    id: 'basic-auth',
    description:
      'HTTP Basic credentials: anything after `Authorization: Basic` or `Proxy-Authorization: Basic`, elsewhere `Basic <base64>` that decodes to `user:pass`.',
    triggers: ['basic'],
    patterns: [
      // `\\?` before a quote: the header may sit in JSON that was itself escaped into a string.
      /authorization\\?["']?[ \t]{0,3}[:=][ \t]{0,3}\\?["']?basic[ \t]{1,8}(?!\[REDACTED:)([^\s"'\\,;]{1,4096})/i,
      /(?:Basic|basic|BASIC)[ \t]{1,8}([A-Za-z0-9+/]{4,4096}={0,2})(?![A-Za-z0-9+/])/,
    ],
    accept: isBasicCredential,
    examples: {
      positive: [
        `Authorization: Basic ${base64('fake-user:fake-pass')}`,
        `basic ${base64(':FAKEtoken')}`,
        `Authorization: Basic ${base64('FAKEtoken-without-colon')}`,
        'Proxy-Authorization: Basic FAKE!not+base64',
        fake('{"authorization":"basic ', 'FAKEuser:FAKEpass', '"}'),
        fake('HTTP_AUTHORIZATION=Basic ', 'FAKE'),
      ],
      negative: [
        'Basic auth is disabled',
        'basic_auth_enabled',
        'Basic realm="kora"',
        `Basic ${base64('no colon here')}`,
        'Authorization: Basic',
        'authorization failed: basic scheme expected',
      ],
    },
  },
  {
    id: 'bearer-token',
    description: 'The credential of a `Bearer` authorization (the token part, not the scheme).',
    triggers: ['bearer'],
    patterns: [
      /authorization\\?["']?[ \t]{0,3}[:=][ \t]{0,3}\\?["']?bearer[ \t]{1,8}([A-Za-z0-9._~+/-]{1,4096}={0,2})/i,
      /(?:Bearer|bearer|BEARER)[ \t]{1,8}([A-Za-z0-9._~+/-]{8,4096}={0,2})/,
    ],
    accept: isBearerCredential,
    examples: {
      positive: [
        'Authorization: Bearer x',
        'Proxy-Authorization: Bearer x',
        fake('HTTP_AUTHORIZATION=Bearer ', 'fake'),
        fake('Bearer ', 'kora_op_', 'FAKE0123456789'),
        fake('{"authorization":"Bearer ', 'FAKEtoken', '"}'),
        fake('bearer ', 'FAKEtokenFAKEtoken'),
      ],
      negative: ['bearer_token_missing', 'Bearer token required', 'the bearer authentication failed', 'Bearer', 'slack_api:invalid_auth'],
    },
  },
  {
    id: 'password-assignment',
    description: 'The value of a password or secret assignment (`password=…`, `pwd: …`, `"client_secret":"…"`).',
    triggers: ['passw', 'passphrase', 'pwd', 'secret'],
    patterns: [
      // The key must end at the keyword (so `password_reset_requested` is not a key); it may
      // start anywhere: `db_password`, `userPassword` and `mypassword` all count.
      // The value is a quoted string (JSON escapes allowed) or one unquoted word; an empty value
      // (`password=`, `(password=)`) and an already-redacted one are left alone. Quotes may be
      // escaped up to three times: JSON text inside a JSON string inside another.
      /(?:password|passwd|passphrase|pwd|secret|Password|Passwd|Passphrase|Pwd|Secret|PASSWORD|PASSWD|PASSPHRASE|PWD|SECRET)(?:[_-]?(?:key|Key|KEY))?(?:\\{0,3}["'])?[ \t]{0,3}(?::[ \t]{0,3}|=)(?:"(?!\[REDACTED:)((?:[^"\\\r\n]|\\.){1,512})"|'(?!\[REDACTED:)([^'\r\n]{1,512})'|(?:\\{0,3}["'])?(?!\[REDACTED:|[)\]}])([^\s"'&,;<>\\]{1,512}))/,
    ],
    examples: {
      positive: [
        fake('password=', 'hunter2'),
        fake('{"password":"', 'correct horse battery staple', '"}'),
        fake('DB_PASSWORD=', 'FAKEpw'),
        fake('pwd=', 'FAKE'),
        fake('client_secret: ', 'FAKEsecretvalue'),
        fake("passwd='", 'FAKE pass', "'"),
        fake('{"userPassword": "', 'FAKE\\"quoted', '"}'),
        fake('mypassword=', 'FAKE'),
      ],
      negative: [
        'password_reset_requested',
        'password=',
        'password=&next=1',
        '(password=)',
        '"password": ""',
        'mypasswords=x',
        'secrets=3',
        'v0=a2114d57b...(truncated)',
        'sha256=00112...(truncated)',
        'denied:missing_capability',
        'error:TypeError',
      ],
    },
  },
  {
    id: 'email-address',
    description: 'An e-mail address (`local@domain.tld`, TLD of two or more letters).',
    triggers: ['@'],
    patterns: [
      // The TLD must be letters, so `user@localhost` and `pkg@1.2.3` are not addresses. A final
      // label that IANA does not delegate but that is a common asset extension marks a file name
      // such as `icon@2x.png` (the retina-asset convention), not a domain. `.zip`/`.mov` are real
      // TLDs and are deliberately not in the list.
      // Anchored at `@`: the local part is its last 1–64 characters, read back by a look-behind
      // and named `from` so the whole address is redacted. A boundary before the local part
      // would let a run of 65 or more characters hide the address; a match starting in the run
      // would make every attempt in it scan up to 64 characters for an `@`.
      /(?<=(?<from>[A-Za-z0-9._%+-]{1,64}))@(?:[A-Za-z0-9-]{1,63}\.){1,16}(?!(?:png|jpe?g|gif|svg|webp|ico|bmp|avif|tiff?|css|js|json|html?)(?![A-Za-z0-9-]))[A-Za-z]{2,24}(?![A-Za-z0-9-])/i,
    ],
    examples: {
      positive: [
        'ops@example.com',
        'First.Last+tag@mail.example.co.uk',
        'mailto:FAKE.user@example.org',
        `${'x'.repeat(80)}.ops@example.com`,
      ],
      negative: ['icon@2x.png', 'logo@3x.JPG', 'user@localhost', 'pkg@1.2.3', '@kora/audit-sink', 'a@b.c'],
    },
  },
]);
