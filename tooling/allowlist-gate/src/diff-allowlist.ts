import type { FieldType } from './describe-field-type.js';
import { isFieldType, summarizeFieldType } from './describe-field-type.js';
import type { LockedField } from './describe-seam.js';

/** Whether a change lets more (widened), less (narrowed) or something else leave the process. */
export type ChangeDirection = 'added' | 'removed' | 'widened' | 'narrowed' | 'changed';

/** One difference between the locked allow-list and the code. */
export interface FieldChange {
  readonly direction: ChangeDirection;
  /** The field's path (`result`, `headers.values`, `args_keys.items`) or an export path (`export.ocsf.class_uid`). */
  readonly path: string;
  /** What changed, in words: `max length 256 → 512`. */
  readonly description: string;
}

// What a removed or changed field's type reads as when the lock holds no field type there.
const NOT_A_FIELD_TYPE = '(not a field type)';

/**
 * Every difference between two versions of one seam's fields. The locked side is read from a
 * file edited by hand: a type in it that is not a field type in every part is reported as
 * changed (or removed) as a whole, never compared part by part.
 */
export function diffFields(locked: readonly LockedField[], current: readonly LockedField[]): FieldChange[] {
  const changes: FieldChange[] = [];
  const before = new Map(locked.map((field) => [field.key, field]));
  const after = new Map(current.map((field) => [field.key, field]));
  for (const [key, field] of after) {
    const old = before.get(key);
    if (old === undefined) {
      changes.push({ direction: 'added', path: key, description: `${summarizeFieldType(field.type)}, ${field.classification}` });
      continue;
    }
    if (old.classification !== field.classification) {
      changes.push({ direction: 'changed', path: key, description: `classification ${old.classification} → ${field.classification}` });
    }
    if (old.required !== field.required) {
      changes.push({ direction: 'changed', path: key, description: field.required ? 'now required' : 'now optional' });
    }
    if (isFieldType(old.type)) diffTypes(key, old.type, field.type, changes);
    else changes.push({ direction: 'changed', path: key, description: `type ${NOT_A_FIELD_TYPE} → ${summarizeFieldType(field.type)}` });
  }
  for (const [key, field] of before) {
    if (after.has(key)) continue;
    changes.push({
      direction: 'removed',
      path: key,
      description: isFieldType(field.type) ? summarizeFieldType(field.type) : NOT_A_FIELD_TYPE,
    });
  }
  return changes;
}

function diffTypes(path: string, old: FieldType, current: FieldType, changes: FieldChange[]): void {
  if (old.kind !== current.kind) {
    changes.push({ direction: 'changed', path, description: `type ${summarizeFieldType(old)} → ${summarizeFieldType(current)}` });
    return;
  }
  switch (current.kind) {
    case 'string': {
      const was = old as typeof current;
      bound(path, 'max length', was.max_length, current.max_length, 'upper', changes);
      bound(path, 'min length', was.min_length, current.min_length, 'lower', changes);
      if (was.pattern !== current.pattern) {
        changes.push({ direction: 'changed', path, description: `pattern ${was.pattern ?? '(none)'} → ${current.pattern ?? '(none)'}` });
      }
      if (was.format !== current.format) {
        changes.push({ direction: 'changed', path, description: `format ${was.format ?? '(none)'} → ${current.format ?? '(none)'}` });
      }
      return;
    }
    case 'enum': {
      const was = new Set((old as typeof current).values.map(String));
      const now = new Set(current.values.map(String));
      const added = [...now].filter((value) => !was.has(value));
      const removed = [...was].filter((value) => !now.has(value));
      if (added.length > 0) changes.push({ direction: 'widened', path, description: `enum values added: ${added.join(', ')}` });
      if (removed.length > 0) changes.push({ direction: 'narrowed', path, description: `enum values removed: ${removed.join(', ')}` });
      return;
    }
    case 'integer':
    case 'number': {
      const was = old as typeof current;
      bound(path, 'maximum', was.maximum, current.maximum, 'upper', changes);
      bound(path, 'minimum', was.minimum, current.minimum, 'lower', changes);
      return;
    }
    case 'array': {
      const was = old as typeof current;
      bound(path, 'max items', was.max_items, current.max_items, 'upper', changes);
      diffTypes(`${path}.items`, was.items, current.items, changes);
      return;
    }
    case 'object': {
      const was = old as typeof current;
      for (const key of Object.keys(current.fields)) {
        const oldField = Object.hasOwn(was.fields, key) ? was.fields[key] : undefined;
        if (oldField === undefined) {
          changes.push({ direction: 'added', path: `${path}.${key}`, description: summarizeFieldType(current.fields[key]!) });
        } else {
          diffTypes(`${path}.${key}`, oldField, current.fields[key]!, changes);
        }
      }
      for (const key of Object.keys(was.fields)) {
        if (!Object.hasOwn(current.fields, key))
          changes.push({ direction: 'removed', path: `${path}.${key}`, description: summarizeFieldType(was.fields[key]!) });
      }
      return;
    }
    case 'record': {
      const was = old as typeof current;
      diffTypes(`${path}.keys`, was.keys, current.keys, changes);
      diffTypes(`${path}.values`, was.values, current.values, changes);
      return;
    }
    case 'nullable':
      diffTypes(path, (old as typeof current).of, current.of, changes);
      return;
    case 'union':
      if (JSON.stringify(old) !== JSON.stringify(current)) {
        changes.push({ direction: 'changed', path, description: `type ${summarizeFieldType(old)} → ${summarizeFieldType(current)}` });
      }
      return;
    default:
      return;
  }
}

// An upper bound going up, or a lower bound going down, lets more through.
function bound(
  path: string,
  name: string,
  was: number | undefined,
  now: number | undefined,
  side: 'upper' | 'lower',
  changes: FieldChange[],
): void {
  if (was === now) return;
  const describe = (value: number | undefined): string => (value === undefined ? 'none' : String(value));
  const more = now === undefined || (was !== undefined && (side === 'upper' ? now > was : now < was));
  changes.push({ direction: more ? 'widened' : 'narrowed', path, description: `${name} ${describe(was)} → ${describe(now)}` });
}
