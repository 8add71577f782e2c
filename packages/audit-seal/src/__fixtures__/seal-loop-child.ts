// A sealer that keeps sealing, as `kora-audit seal --follow` does, until it is killed: argv is
// the audit file and the private key file. It prints one JSON line per pass that added leaves
// ({"size":N}), so a test can kill it at a tree size of its choosing.
import { followSeal } from '../sealer/follow-seal.js';
import { loadSealSigner } from '../sealer/load-seal-keys.js';
import { openSealer } from '../sealer/open-sealer.js';

const [path, keyPath] = process.argv.slice(2);
if (path === undefined || keyPath === undefined) throw new Error('usage: seal-loop-child PATH KEY');
const sealer = await openSealer({
  path,
  signer: await loadSealSigner(keyPath, 'audit.example.com/host-7'),
  quietMs: 0,
  logger: { info: () => undefined, warn: (message) => process.stderr.write(`${message}\n`) },
});
process.stdout.write(`${JSON.stringify({ ready: sealer.status().size })}\n`);
await followSeal(sealer, {
  intervalMs: 1,
  signal: new AbortController().signal,
  onPass: (pass) => {
    if (pass.leaves > 0) process.stdout.write(`${JSON.stringify({ size: pass.size })}\n`);
  },
});
