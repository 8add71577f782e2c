// The encoding worker of `kora-audit export`, with the CLI's seams. The bundled executable has
// it as one file of its own (its dependencies inside), so that a worker starts in a few
// milliseconds instead of loading a few hundred modules one by one.
import { runEncodingWorker } from '@kora/audit-export';
import { SEAMS } from '../seams.js';

await runEncodingWorker(SEAMS);
