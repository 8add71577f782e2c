import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditLogger } from '@kora/audit-sink';
import { createDaemon } from '../create-daemon.js';
import type { ScenarioOptions } from './run-scenario.js';
import type { Daemon, DaemonOverrides } from '../create-daemon.js';
import { readDaemonConfig } from '../env.js';
import { startFakeAnthropicApi } from '../fakes/fake-anthropic-api.js';
import type { FakeAnthropicApi } from '../fakes/fake-anthropic-api.js';
import { startFakeSlackApi } from '../fakes/fake-slack-api.js';
import type { FakeSlackApi } from '../fakes/fake-slack-api.js';
import { ensurePrivateDirectory } from '../files/ensure-private-paths.js';
import { hashCallerToken } from '../mcp/callers-file.js';
import { ensureDemoSealKey } from './ensure-demo-seal-key.js';
import type { DemoSealKey } from './ensure-demo-seal-key.js';

/** The daemon with its fakes, as the demo and the end-to-end tests run it. */
export interface DemoStack {
  readonly daemon: Daemon;
  readonly fakeSlack: FakeSlackApi;
  readonly fakeAnthropic: FakeAnthropicApi;
  /** The directory holding the audit file, the callers file and (for the demo) the log. */
  readonly home: string;
  readonly auditLogPath: string;
  /** The key the daemon seals the audit file with (`KORA_AUDIT_SEAL_KEY`), and its verifier key. */
  readonly sealKey: DemoSealKey;
  /** Where the signed checkpoints go. */
  readonly checkpointsPath: string;
  readonly operatorToken: string;
  readonly agentToken: string;
  readonly viewerToken: string;
  readonly slackSigningSecret: string;
  readonly emailSigningSecret: string;
  close(): Promise<void>;
}

/** Where and how to start it. */
export interface DemoStackOptions {
  /** A directory to use; a fresh temp directory when left out. */
  readonly home?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly logger: AuditLogger;
  /** Extra `KORA_*` settings (sink batching, say); the stack's own values win. */
  readonly env?: NodeJS.ProcessEnv;
  /** What tests replace in the daemon: its clock, how often it reports its counters. */
  readonly overrides?: Omit<DaemonOverrides, 'logger'>;
}

const token = (): string => randomBytes(24).toString('base64url');

/**
 * Start the fake Slack and Anthropic APIs and a daemon wired to them, with fresh tokens and
 * secrets, a callers file granting an agent everything and a viewer only reads, and a key the
 * daemon seals its audit file with.
 */
export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'kora-demo-'));
  // It holds the audit file, the callers file and the demo's log: private whatever the umask.
  ensurePrivateDirectory(home);
  const stack = {
    operatorToken: token(),
    agentToken: token(),
    viewerToken: token(),
    slackSigningSecret: token(),
    emailSigningSecret: token(),
  };
  const callersFile = join(home, 'callers.json');
  writeFileSync(
    callersFile,
    `${JSON.stringify(
      {
        callers: [
          {
            name: 'pm-agent',
            token_sha256: hashCallerToken(stack.agentToken),
            actor_kind: 'claude_pm_isokron',
            capabilities: ['ops:read', 'ops:transition', 'tickets:read', 'tickets:write', 'slack:send'],
          },
          {
            name: 'dashboard',
            token_sha256: hashCallerToken(stack.viewerToken),
            actor_kind: 'ops_dashboard',
            capabilities: ['ops:read', 'tickets:read'],
          },
        ],
      },
      null,
      2,
    )}\n`,
    { mode: 0o600 },
  );
  // The mode above applies only to a new file; one left from an earlier run keeps its own.
  chmodSync(callersFile, 0o600);
  const fakeSlack = await startFakeSlackApi();
  const fakeAnthropic = await startFakeAnthropicApi();
  const auditLogPath = join(home, 'kora_audit_log.jsonl');
  const sealKey = ensureDemoSealKey(home);
  const config = readDaemonConfig({
    ...options.env,
    KORA_AUDIT_LOG_PATH: auditLogPath,
    KORA_AUDIT_SEAL_KEY: sealKey.privateKeyPath,
    KORA_DAEMON_PORT: String(options.port),
    KORA_OPERATOR_TOKEN: stack.operatorToken,
    KORA_CALLERS_FILE: callersFile,
    KORA_SLACK_SIGNING_SECRET: stack.slackSigningSecret,
    KORA_SLACK_BOT_TOKEN: fakeSlack.token,
    KORA_SLACK_API_URL: fakeSlack.url,
    KORA_EMAIL_SIGNING_SECRET: stack.emailSigningSecret,
    KORA_ANTHROPIC_API_KEY: fakeAnthropic.apiKey,
    KORA_ANTHROPIC_BASE_URL: fakeAnthropic.url,
  });
  let daemon: Daemon;
  try {
    daemon = await createDaemon(config, { ...options.overrides, logger: options.logger });
  } catch (error) {
    await Promise.all([fakeSlack.close(), fakeAnthropic.close()]);
    throw error;
  }
  return {
    ...stack,
    daemon,
    fakeSlack,
    fakeAnthropic,
    home,
    auditLogPath,
    sealKey,
    checkpointsPath: `${auditLogPath}.checkpoints`,
    async close() {
      await daemon.close();
      await Promise.all([fakeSlack.close(), fakeAnthropic.close()]);
    },
  };
}

/** What the scenario needs to drive `stack`: its URL, tokens, secrets and fake Slack API. */
export function scenarioOptionsFor(stack: DemoStack, plantedSecret: string): ScenarioOptions {
  return {
    daemonUrl: stack.daemon.url,
    agentToken: stack.agentToken,
    viewerToken: stack.viewerToken,
    slackSigningSecret: stack.slackSigningSecret,
    emailSigningSecret: stack.emailSigningSecret,
    fakeSlack: stack.fakeSlack,
    plantedSecret,
    idle: () => stack.daemon.idle(),
  };
}
