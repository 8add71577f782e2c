import { parseArgs } from 'node:util';
import { auditEnvelope } from '@kora/audit-sink';
import { z } from 'zod';
import { allowRedactionMarkers } from '../allow-redaction-markers.js';
import type { JsonSchema } from '../allow-redaction-markers.js';
import { writeText } from '../cli-io.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { EXIT_OK } from '../exit-codes.js';
import { parseCommandLine } from '../parse-arguments.js';
import { SEAMS, findSeam } from '../seams.js';
import { UsageError } from '../usage-error.js';

const options = {
  seam: { type: 'string', value: 'S', description: 'only the details of seam S' },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit schema [--seam S]

Print the JSON Schema (draft 2020-12) of the row envelope and of each seam's details, as one
document: {"envelope": {...}, "seams": {"<seam name>": {...}}}. With --seam, only that seam
is under "seams".

A string the guard redacted may hold its markers alone where the marker breaks the field's
pattern or length (\`[REDACTED:aws-access-key-id]\`): every such field admits them.`,
  options,
);

// Parts zod cannot express (a custom refinement) become `{}` rather than failing the command.
const jsonSchemaOptions = { unrepresentable: 'any' } as const;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() => parseArgs({ args: [...args], options: parseArgsOptions(options), strict: true }));
  let seams = SEAMS;
  if (values.seam !== undefined) {
    const seam = findSeam(values.seam);
    if (seam === undefined) {
      throw new UsageError(`unknown seam '${values.seam}' (known: ${SEAMS.map((known) => known.name).join(', ')})`);
    }
    seams = [seam];
  }
  // The guard reads the details and `caller_session_id`; the envelope's other fields are the sink's own.
  const envelope = z.toJSONSchema(auditEnvelope, jsonSchemaOptions) as { properties: Record<string, JsonSchema> };
  const document = {
    envelope: {
      ...envelope,
      properties: { ...envelope.properties, caller_session_id: allowRedactionMarkers(envelope.properties.caller_session_id ?? {}) },
    },
    seams: Object.fromEntries(
      seams.map((seam) => [seam.name, allowRedactionMarkers(z.toJSONSchema(seam.details, jsonSchemaOptions) as JsonSchema)]),
    ),
  };
  await writeText(io.stdout, `${JSON.stringify(document, null, 2)}\n`);
  return EXIT_OK;
}

/** `kora-audit schema`: the envelope's and the seams' JSON Schemas. */
export const schemaCommand: Command = {
  name: 'schema',
  usage,
  options,
  run,
};
