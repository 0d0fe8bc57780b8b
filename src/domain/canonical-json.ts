/**
 * RFC 8785 JSON Canonicalization Scheme: object keys sorted by UTF-16 code units, no
 * whitespace, strings and numbers as ECMAScript's JSON.stringify writes them (which is what
 * RFC 8785 specifies). Non-finite numbers cannot be canonicalised.
 */
export function canonicalize(value: unknown): string {
  return canonicalText(value, refuse);
}

/**
 * Text that is equal exactly when two JSON values are (object keys in any order): for every
 * value {@link canonicalize} accepts, the same RFC 8785 form. A value JSON cannot write is
 * written too, apart from every value it can: a number a document may still hold (1e400 parses
 * to Infinity) by its name, never as `null`, and `undefined` as `undefined`. Used to compare
 * values (an enum's members, a keyword on two allOf branches), never to store or hash them.
 */
export function jsonKey(value: unknown): string {
  return canonicalText(value, nameOf);
}

function refuse(value: unknown): never {
  throw new Error(typeof value === 'number' ? `${value} cannot be canonicalised (RFC 8785)` : `a ${typeof value} cannot be canonicalised (RFC 8785)`);
}

function nameOf(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? 'undefined');
}

/** The one canonical writer; `unwritable` decides what becomes of a value JSON cannot write. */
function canonicalText(value: unknown, unwritable: (value: unknown) => string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : unwritable(value);
  if (Array.isArray(value)) {
    // A list of plain values (a long enum of names) is written as JSON.stringify writes it, in
    // one call: the same text, three times faster than entry by entry.
    if (allPlain(value)) return JSON.stringify(value);
    return `[${value.map((entry) => canonicalText(entry, unwritable)).join(',')}]`;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalText((value as Record<string, unknown>)[key], unwritable)}`).join(',')}}`;
  }
  return unwritable(value);
}

/** Whether every entry (holes included) is null, a boolean, a string or a finite number: a list JSON.stringify writes canonically. */
export function allPlain(values: readonly unknown[]): boolean {
  for (let index = 0; index < values.length; index += 1) {
    const entry = values[index];
    if (!(entry === null || typeof entry === 'boolean' || typeof entry === 'string' || (typeof entry === 'number' && Number.isFinite(entry)))) return false;
  }
  return true;
}
