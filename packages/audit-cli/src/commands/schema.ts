import { parseArgs } from 'node:util';
import { auditEnvelope } from '@kora/audit-sink';
import { z } from 'zod';
import { writeText } from '../cli-io.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { parseCommandLine } from '../parse-arguments.js';
import { SEAMS, findSeam } from '../seams.js';
import { UsageError } from '../usage-error.js';

const usage = `Usage: kora-audit schema [--seam S]

Print the JSON Schema (draft 2020-12) of the row envelope and of each seam's details, as one
document: {"envelope": {...}, "seams": {"<seam name>": {...}}}. With --seam, only that seam
is under "seams".
`;

// Parts zod cannot express (a custom refinement) become `{}` rather than failing the command.
const jsonSchemaOptions = { unrepresentable: 'any' } as const;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() =>
    parseArgs({ args: [...args], options: { seam: { type: 'string' } }, strict: true }),
  );
  let seams = SEAMS;
  if (values.seam !== undefined) {
    const seam = findSeam(values.seam);
    if (seam === undefined) {
      throw new UsageError(`unknown seam '${values.seam}' (known: ${SEAMS.map((known) => known.name).join(', ')})`);
    }
    seams = [seam];
  }
  const document = {
    envelope: z.toJSONSchema(auditEnvelope, jsonSchemaOptions),
    seams: Object.fromEntries(seams.map((seam) => [seam.name, z.toJSONSchema(seam.details, jsonSchemaOptions)])),
  };
  await writeText(io.stdout, `${JSON.stringify(document, null, 2)}\n`);
  return EXIT_OK;
}

/** `kora-audit schema`: the envelope's and the seams' JSON Schemas. */
export const schemaCommand: Command = {
  name: 'schema',
  usage,
  run,
};
