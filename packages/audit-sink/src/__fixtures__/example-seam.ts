import { z } from 'zod';
import { defineSeam } from '../seam/define-seam.js';

/** A small seam for the core's own tests, on a registered name. */
export const exampleSeam = defineSeam({
  name: 'mcp.tool_called',
  level: 'info',
  source: 'mcp_http',
  details: z.strictObject({
    tool_name: z.string().regex(/^[\x21-\x7e]{1,64}$/),
    count: z.number().int().nonnegative().optional(),
    note: z.string().max(20_000).optional(),
    keys: z.array(z.string().max(20_000)).max(1000).optional(),
  }),
  fields: [
    { key: 'tool_name', classification: 'identifier', description: 'The tool.' },
    { key: 'count', classification: 'count', description: 'A count.' },
    { key: 'note', classification: 'machine_code', description: 'A long code, for size tests.' },
    { key: 'keys', classification: 'key_names', description: 'Key names.' },
  ],
  formatLine: (details) => `[kora.mcp.tool_called] tool=${String(details.tool_name)} count=${String(details.count)}`,
});
