// Preloaded into a CLI process by tests (`--import`): says at exit whether pino (the sink's
// logger) and zod were loaded, one line each, zod's last.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

process.on('exit', () => {
  // pino is CommonJS, so loading it from anywhere puts it in the module cache.
  const pinoLoaded = Object.keys(require.cache).some((path) => /[\\/]node_modules[\\/]pino[\\/]/.test(path));
  process.stderr.write(`pino loaded: ${String(pinoLoaded)}\n`);
  process.stderr.write(`zod loaded: ${String('__zod_globalConfig' in globalThis)}\n`);
});
