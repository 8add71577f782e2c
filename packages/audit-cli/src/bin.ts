#!/usr/bin/env node
import { shouldColor } from './cli-io.js';
import { main } from './main.js';

// The first SIGINT/SIGTERM asks the command to stop (how `tail -f` ends); a second one exits now.
const controller = new AbortController();
const onSignal = (): void => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// A closed pipe (`kora-audit query | head`) ends the command as SIGPIPE would, without a trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(141);
  throw error;
});

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
  interactive: process.stdin.isTTY === true,
  isTTY: process.stdout.isTTY === true,
  color: shouldColor(process.env, process.stdout.isTTY === true),
});
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
