import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The page's script and the chart's stylesheet, bundled. */
export interface PanelPageBundle {
  readonly script: string;
  readonly style: string;
}

const ENTRY = fileURLToPath(new URL('./browser/panel-page.ts', import.meta.url));

let bundling: Promise<PanelPageBundle> | undefined;

/**
 * The page's script (`browser/panel-page.ts` and what it imports, uPlot among them) bundled
 * by esbuild into one file, and the stylesheets it imports into another. Bundled once, on the
 * first request, and kept for the life of the process: the daemon runs from its sources, so
 * there is no build output to go stale. A failed bundle is not kept; the next request tries
 * again.
 */
export function bundlePanelPage(): Promise<PanelPageBundle> {
  bundling ??= runBundle().catch((error: unknown) => {
    bundling = undefined;
    throw error;
  });
  return bundling;
}

async function runBundle(): Promise<PanelPageBundle> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'iife',
    target: ['es2022'],
    platform: 'browser',
    minify: true,
    legalComments: 'eof',
    logLevel: 'silent',
  });
  const script = result.outputFiles.find((file) => file.path.endsWith('.js'))?.text;
  const style = result.outputFiles.find((file) => file.path.endsWith('.css'))?.text ?? '';
  if (script === undefined) throw new Error('esbuild produced no script');
  return { script, style };
}
