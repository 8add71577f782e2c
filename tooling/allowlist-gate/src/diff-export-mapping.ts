import type { FieldChange } from './diff-allowlist.js';

/** One exported value of a mapping: its path under `export.` and what it says in words. */
interface MappedValue {
  readonly description: string;
  /** The details fields whose values it may carry. */
  readonly details?: readonly string[];
}

/**
 * Every difference between two versions of one seam's export mapping (null when it has none),
 * one per mapped path: `export.otel.attributes.gen_ai.tool.name`, `export.ocsf.class_uid`,
 * `export.outcome`. A path that newly carries a details field the old mapping did not export
 * at all is `added` even where the path itself existed: more of the row reaches a SIEM. The
 * lock side is whatever JSON the file holds, so unexpected shapes are described, not trusted.
 */
export function diffExportMapping(locked: unknown, current: unknown): FieldChange[] {
  const before = flatten(locked);
  const after = flatten(current);
  const exportedBefore = new Set([...before.values()].flatMap((value) => value.details ?? []));
  const fresh = (value: MappedValue): string[] => (value.details ?? []).filter((detail) => !exportedBefore.has(detail));
  const newly = (value: MappedValue): boolean => fresh(value).length > 0;
  const note = (value: MappedValue): string => (newly(value) ? ` (${fresh(value).join(', ')} was not exported before)` : '');
  const changes: FieldChange[] = [];
  for (const [path, value] of after) {
    const old = before.get(path);
    if (old === undefined) {
      changes.push({ direction: 'added', path, description: `${value.description}${note(value)}` });
    } else if (old.description !== value.description) {
      const description = `${old.description} → ${value.description}${note(value)}`;
      changes.push({ direction: newly(value) ? 'added' : 'changed', path, description });
    }
  }
  for (const [path, value] of before) {
    if (!after.has(path)) changes.push({ direction: 'removed', path, description: value.description });
  }
  return changes;
}

// Objects are walked down to the values a reviewer judges one by one: a source, the outcome
// rules as a whole (their order decides), an array, a scalar.
function flatten(mapping: unknown): Map<string, MappedValue> {
  const values = new Map<string, MappedValue>();
  const walk = (value: unknown, path: string): void => {
    if (path === 'export.outcome') {
      values.set(path, { description: describeOutcome(value) });
    } else if (isRecord(value) && !isSource(value)) {
      for (const key of Object.keys(value).sort()) walk(value[key], `${path}.${key}`);
    } else {
      values.set(path, describeValue(value));
    }
  };
  if (mapping !== null && mapping !== undefined) walk(mapping, 'export');
  return values;
}

function describeValue(value: unknown): MappedValue {
  if (isRecord(value)) return describeSource(value);
  if (Array.isArray(value)) return { description: `[${value.map(json).join(', ')}]` };
  return { description: json(value) };
}

function describeSource(source: Readonly<Record<string, unknown>>): MappedValue {
  const { first } = source;
  if (Array.isArray(first) && Object.keys(source).length === 1) {
    const inner = first.map((item) => describeValue(item));
    return {
      description: `first of (${inner.map((item) => item.description).join('; ')})`,
      details: inner.flatMap((item) => item.details ?? []),
    };
  }
  const { detail, map, otherwise, after, scale, row, constant, ...rest } = source;
  const known = Object.keys(rest).length === 0;
  if (known && typeof detail === 'string' && row === undefined && constant === undefined) {
    let description = `detail ${detail}`;
    if (isRecord(map)) {
      const pairs = Object.keys(map)
        .sort()
        .map((key) => `${json(key)}→${json(map[key])}`);
      description += ` mapped {${pairs.join(', ')}}${otherwise === undefined ? '' : `, otherwise ${json(otherwise)}`}`;
    } else if (map !== undefined || otherwise !== undefined) {
      description += ` ${json({ map, otherwise })}`;
    }
    if (after !== undefined) description += ` after ${json(after)}`;
    if (scale !== undefined) description += ` times ${json(scale)}`;
    return { description, details: [detail] };
  }
  if (known && typeof row === 'string' && detail === undefined && constant === undefined) return { description: `row ${row}` };
  if (known && constant !== undefined && detail === undefined && row === undefined) return { description: `constant ${json(constant)}` };
  // A shape no mapping has: shown whole, and any details field it names counts as exported.
  return { description: json(source), ...(typeof detail === 'string' ? { details: [detail] } : {}) };
}

function describeOutcome(outcome: unknown): string {
  if (!isRecord(outcome) || !Array.isArray(outcome.rules)) return json(outcome);
  const rules = outcome.rules.map((rule: unknown) => {
    if (!isRecord(rule)) return json(rule);
    const test = rule.equals !== undefined ? `= ${json(rule.equals)}` : `starts with ${json(rule.prefix)}`;
    return `when ${text(rule.detail)} ${test} then ${text(rule.outcome)}`;
  });
  return [...rules, `otherwise ${text(outcome.otherwise)}`].join('; ');
}

// A string as it is, anything else as JSON: the lock's values are never converted unchecked.
function text(value: unknown): string {
  return typeof value === 'string' ? value : json(value);
}

// Structural, so that a schema field that happens to be called `detail` is still a path.
function isSource(value: Readonly<Record<string, unknown>>): boolean {
  const constant = value.constant;
  return (
    typeof value.detail === 'string' ||
    typeof value.row === 'string' ||
    (constant !== undefined && typeof constant !== 'object') ||
    (Array.isArray(value.first) && Object.keys(value).length === 1)
  );
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Keys sorted, so two spellings of one value read the same.
function json(value: unknown): string {
  if (value === undefined) return '(none)';
  if (Array.isArray(value)) return `[${value.map(json).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => value[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${json(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
