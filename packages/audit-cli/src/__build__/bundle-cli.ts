// The `kora-audit` executable as one bundled file (and a chunk per command), built after `tsc`.
// Node 20's ESM loader costs about half a millisecond per module, whatever the module holds,
// and a query loads some 25 of them: bundled, every command starts about 8 ms sooner.
import { rmSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

// The parts of the core that the hot commands need are bundled in, and the seal (small, with no
// dependencies of its own); everything else a command imports stays a dependency resolved as
// usual, so one copy of the sink (and pino, zod, pg) is shared with whatever else the process loads.
const BUNDLED_PACKAGE_IMPORTS = /^@kora\/(audit-sink\/(reader|guard|files)|audit-seal)$/;

/**
 * Bundle the CLI from its TypeScript sources into `outdir`: `kora-audit.js`, a chunk per command
 * (each still loaded only when it runs), `scan-worker.js`, the reader's scanning thread, which
 * the bundled reader starts from beside its own chunk, `seal-check-worker.js`, verify's, and
 * `export-worker.js`, export's, which starts it from beside its chunk.
 */
export async function bundleCli(outdir: string): Promise<Metafile> {
  // The scanning thread's module sits beside the reader's entry (its source, where this runs
  // with the `@kora/source` condition, as the build and the tests do).
  const readerEntry = fileURLToPath(import.meta.resolve('@kora/audit-sink/reader'));
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: packageDir,
    entryPoints: {
      'kora-audit': 'src/bin.ts',
      'scan-worker': join(dirname(readerEntry), `scan-worker${extname(readerEntry)}`),
      // verify's seal check, started from beside the chunk that holds verify.
      'seal-check-worker': 'src/seal-check/seal-check-worker.ts',
    },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The core's sources, as tests run them, so the bundle needs no build of the core.
    conditions: ['@kora/source'],
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    plugins: [
      {
        name: 'dependencies-stay-external',
        setup(bundler) {
          bundler.onResolve({ filter: /^[^./]/ }, (args) =>
            args.kind === 'entry-point' || BUNDLED_PACKAGE_IMPORTS.test(args.path) ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  // export's encoding worker: one file holding all it runs (but the OpenTelemetry SDK, loaded
  // for --format otel only), since a worker thread loads each module anew.
  await build({
    absWorkingDir: packageDir,
    entryPoints: { 'export-worker': 'src/commands/export-worker.ts' },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['@kora/source'],
    sourcemap: 'linked',
    logLevel: 'warning',
    external: ['@opentelemetry/*', '@kora/audit-export/otel'],
    // What is bundled from CommonJS may require Node's own modules.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli(join(packageDir, 'dist', 'cli'));
