// Preloaded into a CLI process by tests (`--import`): says at exit whether zod was loaded.
process.on('exit', () => {
  process.stderr.write(`zod loaded: ${String('__zod_globalConfig' in globalThis)}\n`);
});
