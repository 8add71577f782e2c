// The daemon's entry point: parse the configuration once, serve until SIGINT or SIGTERM,
// then flush the audit file and exit 0 (1 if the shutdown failed).
import { createDaemon } from './create-daemon.js';
import { ConfigError, readDaemonConfig } from './env.js';
import { stopOnSignals } from './stop-on-signals.js';

const EXIT_CONFIG = 2;

async function main(): Promise<void> {
  let config;
  try {
    config = readDaemonConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`kora-daemon: ${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  let daemon;
  try {
    daemon = await createDaemon(config);
  } catch (error) {
    // A bad callers file or a taken port: one line, no stack, no values.
    process.stderr.write(`kora-daemon: ${error instanceof Error ? error.message : 'cannot start'}\n`);
    process.exit(EXIT_CONFIG);
  }
  process.stdout.write(`kora-daemon: listening on ${daemon.url} (MCP at ${daemon.url}/mcp, panels at ${daemon.url}/)\n`);
  stopOnSignals(
    () => daemon.close(),
    () => process.stdout.write('kora-daemon: shutting down\n'),
  );
}

await main();
