import { appendPathKey } from '../guard/append-path-key.js';
import type { RedactionFinding } from '../guard/guard-types.js';
import type { Seam } from '../seam/define-seam.js';

/** The parts of a zod issue the sink reads. */
export interface ZodIssueLike {
  readonly path: readonly PropertyKey[];
  readonly code: string;
  readonly keys?: readonly string[];
}

/** A seam's parse of details: the validated data, or (when readable) the issues. */
export type ParseResult =
  | { readonly success: true; readonly data: Record<string, unknown> }
  | { readonly success: false; readonly error?: { readonly issues: readonly ZodIssueLike[] } };

/** The seam's parse of `details`; a revoked proxy or a throwing trap is a failure, not a crash. */
export function parseSafely(seam: Seam, details: unknown): ParseResult {
  try {
    return seam.details.safeParse(details);
  } catch {
    return { success: false };
  }
}

// Checks a marker may fail where it stands in for a string: the field's pattern, its length
// cap, its own refinement (`must be an IP address`). Anything else (a wrong type, an enum
// value, an unknown key, a check on a whole object or array) fails for reasons no redaction
// explains. Findings sit only at strings, so a path with findings is a string's.
const MARKER_TOLERATED = new Set(['invalid_format', 'too_big', 'custom']);

/**
 * The seam's parse of details the guard has redacted (`findings` are its redactions, paths
 * rooted at `details`), allowing the marker wherever the guard may put one. A string the guard
 * changed that the field's pattern, length cap or refinement now refuses (an AWS key id was a valid Slack
 * channel id; `[REDACTED:aws-access-key-id]` is not) becomes the markers of the rules found in
 * it, and nothing else, and is accepted as that: a secret never costs the row.
 *
 * The allow-list is not widened for anything a caller wrote. Only strings the guard changed
 * in this emit are replaced, and the replacement is built from the guard's findings, not from
 * the string, so the caller's own text around the secret (or a literal `[REDACTED:x]` it
 * typed) is dropped with it; every other issue, and every issue elsewhere, still refuses the
 * row. A marker may be longer than the field's cap: it is the sink's own text, one per rule.
 */
export function parseRedactedDetails(seam: Seam, redacted: unknown, findings: readonly RedactionFinding[]): ParseResult {
  const parsed = parseSafely(seam, redacted);
  if (parsed.success || findings.length === 0) return parsed;
  const issues = readParseIssues(parsed);
  const rulesByPath = new Map<string, string[]>();
  for (const finding of findings) {
    const rules = rulesByPath.get(finding.path) ?? [];
    if (!rules.includes(finding.rule)) rules.push(finding.rule);
    rulesByPath.set(finding.path, rules);
  }
  const markedPath = (issue: ZodIssueLike): boolean => MARKER_TOLERATED.has(issue.code) && rulesByPath.has(renderFindingPath(issue.path));
  if (issues.length === 0 || !issues.every(markedPath)) return parsed;

  let patched = redacted;
  const patchedPaths = new Set<string>();
  for (const issue of issues) {
    const rendered = renderFindingPath(issue.path);
    if (patchedPaths.has(rendered)) continue;
    patchedPaths.add(rendered);
    const markers = (rulesByPath.get(rendered) ?? []).map((rule) => `[REDACTED:${rule}]`).join('');
    patched = replaceAt(patched, issue.path, markers);
  }
  const reparsed = parseSafely(seam, patched);
  if (reparsed.success) return reparsed;
  // What is left is the markers failing a pattern of their own field: accepted as they are.
  const left = readParseIssues(reparsed);
  if (left.length === 0 || !left.every((issue) => markedPath(issue) && patchedPaths.has(renderFindingPath(issue.path)))) return reparsed;
  try {
    // Plain JSON, as a parse would have returned it; the strings in it were all checked or are markers.
    return { success: true, data: JSON.parse(JSON.stringify(patched)) as Record<string, unknown> };
  } catch {
    return reparsed;
  }
}

/** The issues of a failed parse; zod builds them lazily, and a revoked proxy makes that throw. */
export function readParseIssues(result: ParseResult): readonly ZodIssueLike[] {
  if (result.success) return [];
  try {
    return result.error?.issues ?? UNREADABLE_ISSUES;
  } catch {
    return UNREADABLE_ISSUES;
  }
}

const UNREADABLE_ISSUES: readonly ZodIssueLike[] = [{ path: [], code: 'unreadable' }];

/** A zod issue path as the guard renders a finding's path: `details.args_keys[2]`, `details.headers["user-agent"]`. */
function renderFindingPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((rendered, key) => appendPathKey(rendered, typeof key === 'number' ? key : String(key)), 'details');
}

/** `root` with the value at `path` replaced, copying the containers on the way: the caller's objects stay as they were. */
function replaceAt(root: unknown, path: readonly PropertyKey[], value: unknown): unknown {
  const [key, ...rest] = path;
  if (key === undefined) return value;
  if (typeof root !== 'object' || root === null) return root;
  const copy: object = Array.isArray(root) ? [...(root as unknown[])] : { ...(root as Record<PropertyKey, unknown>) };
  Object.defineProperty(copy, key, {
    // A definition, not an assignment: a `__proto__` key must not re-parent the copy.
    value: replaceAt((copy as Record<PropertyKey, unknown>)[key], rest, value),
    writable: true,
    enumerable: true,
    configurable: true,
  });
  return copy;
}
