// The demo commands the READMEs show, run exactly as written from the repository root, the way
// a person runs them: each must exit 0, and one that keeps serving must stop cleanly on Ctrl-C
// (SIGINT to its whole process group, as a terminal sends it) without pnpm reporting a failure.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = new URL('../../../../', import.meta.url).pathname;
const READMES = ['README.md', 'apps/daemon/README.md'];
// What counts as a documented demo command: a line of a ```sh block starting with one of these.
const DEMO_COMMAND = /^pnpm (demo|--filter @kora\/daemon demo)(\s|$)/;
const READY_LINE = 'Serving until interrupted';

/** The demo commands in the ```sh blocks of `markdown`, without their trailing comments. */
function documentedDemoCommands(markdown: string): string[] {
  const commands: string[] = [];
  let inShellBlock = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      inShellBlock = !inShellBlock && line.trim() === '```sh';
      continue;
    }
    const command = line.replace(/\s+#.*$/, '').trim();
    if (inShellBlock && DEMO_COMMAND.test(command)) commands.push(command);
  }
  return commands;
}

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

const scratch = mkdtempSync(join(tmpdir(), 'kora-demo-commands-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Run `argv` from the repository root in a process group of its own; when `interruptWhen` is
 * given, send the group SIGINT once the output contains it.
 */
function runCommand(argv: readonly string[], interruptWhen?: string): Promise<Run> {
  const [file, ...args] = argv;
  const child = spawn(file!, args, {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // What a person's shell has: no CI or telemetry switches, no variables of an enclosing pnpm
    // run. The demo's temp home goes under the scratch directory.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: scratch },
  });
  let output = '';
  let interrupted = false;
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    if (interruptWhen !== undefined && !interrupted && output.includes(interruptWhen)) {
      interrupted = true;
      process.kill(-child.pid!, 'SIGINT');
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, output }));
  });
}

describe('the documented demo commands', () => {
  const commands = [...new Set(READMES.flatMap((path) => documentedDemoCommands(readFileSync(join(repoRoot, path), 'utf8'))))];

  it('are found in the READMEs', () => {
    expect(commands).toContain('pnpm demo');
    expect(commands.some((command) => command.startsWith('pnpm --filter @kora/daemon demo'))).toBe(true);
    // Split on spaces below: nothing a shell would treat specially.
    for (const command of commands) expect(command).toMatch(/^[\w@/ .=-]+$/);
  });

  it.each(commands)(
    '%s',
    async (command) => {
      const argv = command.split(/\s+/);
      const once = argv.includes('--once');
      // A command that serves on is given a free port and stopped with Ctrl-C once it serves.
      const run = await runCommand(once ? argv : [...argv, '--port', '0'], once ? undefined : READY_LINE);
      expect(run.output).toContain('The Slack token planted in tool arguments, a webhook body and DMs is in neither output: confirmed.');
      if (!once) expect(run.output).toContain(READY_LINE);
      expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
      expect(run.output).not.toContain('ELIFECYCLE');
      expect(run.output).not.toMatch(/telemetry/i);
    },
    90_000,
  );
});
