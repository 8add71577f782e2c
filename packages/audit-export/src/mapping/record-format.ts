import type { Seam } from '@kora/audit-sink';
import type { ExportContext, ExportRow } from './export-row.js';
import { buildRecord, compileRecordWriter } from './record-template.js';
import type { RecordTemplate } from './record-template.js';
import type { FieldTree } from './set-field-path.js';

/**
 * `make` remembered per context and seam: what a format works out from a seam's mapping is
 * worked out once per export, not once per row.
 */
export function memoizeBySeam<T>(make: (seam: Seam, context: ExportContext) => T): (seam: Seam, context: ExportContext) => T {
  const byContext = new WeakMap<ExportContext, Map<Seam, T>>();
  return (seam, context) => {
    let bySeam = byContext.get(context);
    if (bySeam === undefined) {
      bySeam = new Map();
      byContext.set(context, bySeam);
    }
    let made = bySeam.get(seam);
    if (made === undefined) {
      made = make(seam, context);
      bySeam.set(seam, made);
    }
    return made;
  };
}

/** A writer of any row that compiles its seam's writer the first time it meets the seam. */
export function writerPerSeam(compile: (seam: Seam) => (row: ExportRow) => string): (row: ExportRow) => string {
  const writers = new Map<Seam, (row: ExportRow) => string>();
  return (row) => {
    let write = writers.get(row.seam);
    if (write === undefined) {
      write = compile(row.seam);
      writers.set(row.seam, write);
    }
    return write(row);
  };
}

/**
 * A format's two ways to a record from its per-seam template: the object (`build`), and a
 * writer of its JSON text compiled once per seam (`createWriter`), or stringified from the object
 * when the template cannot be compiled.
 */
export function recordFormat<Derived>(template: (seam: Seam, context: ExportContext) => RecordTemplate<ExportRow, Derived>): {
  build(row: ExportRow, context: ExportContext): FieldTree;
  createWriter(context: ExportContext): (row: ExportRow) => string;
} {
  const templates = memoizeBySeam(template);
  return {
    build: (row, context) => buildRecord(templates(row.seam, context), row),
    createWriter: (context) =>
      writerPerSeam((seam) => {
        const made = templates(seam, context);
        return compileRecordWriter(made) ?? ((row) => JSON.stringify(buildRecord(made, row)));
      }),
  };
}
