// The sealer the seal bench measures, in a process of its own so that its peak memory is its
// own. `once PATH KEY`: one pass over the file, then one JSON line {leaves, ms, cpuMs, maxRssKiB}.
// `follow PATH KEY INTERVAL_MS`: seal as `kora-audit seal --follow` does, one JSON line
// {size, at} after each pass that added leaves, until SIGTERM. `baseline`: load the modules,
// seal nothing, and report {maxRssKiB}: what the runtime itself takes.
import { followSeal } from '../sealer/follow-seal.js';
import { loadSealSigner } from '../sealer/load-seal-keys.js';
import { openSealer } from '../sealer/open-sealer.js';

const [mode, path, keyPath, interval] = process.argv.slice(2);
const maxRssKiB = (): number => process.resourceUsage().maxRSS;
if (mode === 'baseline') {
  process.stdout.write(`${JSON.stringify({ maxRssKiB: maxRssKiB() })}\n`);
} else if (path === undefined || keyPath === undefined) {
  throw new Error('usage: seal-bench-child once|follow PATH KEY [INTERVAL_MS] | baseline');
} else {
  const signer = await loadSealSigner(keyPath, 'bench.example.com/sealer');
  const sealer = await openSealer({ path, signer, quietMs: 0 });
  if (mode === 'once') {
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const pass = await sealer.seal();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const { user, system } = process.cpuUsage(cpu);
    await sealer.close();
    process.stdout.write(`${JSON.stringify({ leaves: pass.leaves, ms, cpuMs: (user + system) / 1000, maxRssKiB: maxRssKiB() })}\n`);
  } else {
    const stop = new AbortController();
    process.once('SIGTERM', () => stop.abort());
    await followSeal(sealer, {
      intervalMs: Number(interval ?? 1_000),
      signal: stop.signal,
      onPass: (pass) => {
        if (pass.leaves > 0) process.stdout.write(`${JSON.stringify({ size: pass.size, at: Date.now() })}\n`);
      },
    });
    await sealer.close();
    process.stdout.write(`${JSON.stringify({ maxRssKiB: maxRssKiB() })}\n`);
  }
}
