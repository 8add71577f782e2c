#!/usr/bin/env node
// The allow-list gate: `check` (CI) and `approve` (after a security review).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runGate } from './run-gate.js';

// The repository root is the nearest directory holding pnpm-workspace.yaml.
function findRoot(start: string): string {
  let directory = start;
  while (!existsSync(join(directory, 'pnpm-workspace.yaml'))) {
    const parent = dirname(directory);
    if (parent === directory) return start;
    directory = parent;
  }
  return directory;
}

process.exitCode = runGate(
  process.argv.slice(2),
  { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
  { root: findRoot(process.env.INIT_CWD ?? process.cwd()) },
);
