import { REFERENCE_KEYWORDS } from '../catalog/refs.js';
import { allPlain, jsonKey } from '../domain/canonical-json.js';

/**
 * Equality of the JSON values the walks compare, reading each object once. A hostile version
 * makes the walks meet one large value (an 80,000-name enum) at thousands of places, each time
 * in a new schema object that shares it by reference (an allOf folded per property, a union
 * branch merged with its siblings), so caches keyed on the schema object miss: comparing the
 * two versions' copies and writing them out again at every place took 176 s for a 1 MiB file,
 * counted as 2.5 million of the 20 million units (budget.ts).
 *
 * Every value gets a number, the same for two values exactly when they are equal as jsonEqual
 * (model.ts) decides: an object's number is built from the numbers of its entries and kept with
 * the object, so a new object that shares a large entry costs its own keys, and that entry is
 * read once. One per check of a new version against its earlier ones (engine.ts): the numbers
 * of two tables mean nothing to each other, and the texts a table holds go with it.
 */
export class ValueIdentities {
  readonly #ids = new WeakMap<object, number>();
  readonly #refs = new WeakMap<object, boolean>();
  /** Texts written from an object's keys and the numbers of its entries (or a list of plain values as JSON), and a primitive's jsonKey. */
  readonly #byText = new Map<string, number>();

  /** A number for `value`: two values get the same one exactly when they are equal (object keys in any order). */
  idOf(value: unknown): number {
    if (typeof value !== 'object' || value === null) return this.#intern(jsonKey(value));
    const known = this.#ids.get(value);
    if (known !== undefined) return known;
    let text: string;
    if (Array.isArray(value)) {
      // A list of plain values (a long enum of names) is written as JSON in one call; `#` never
      // starts a JSON value, so a list written from its entries' numbers is never mistaken for it.
      text = allPlain(value) ? JSON.stringify(value) : `[${value.map((entry) => `#${this.idOf(entry)}`).join(',')}]`;
    } else {
      const record = value as Record<string, unknown>;
      text = `{${Object.keys(record).sort().map((key) => `${JSON.stringify(key)}:#${this.idOf(record[key])}`).join(',')}}`;
    }
    const id = this.#intern(text);
    this.#ids.set(value, id);
    return id;
  }

  /** Whether two JSON values are equal (object keys in any order), as jsonEqual decides. */
  same(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
    return this.idOf(a) === this.idOf(b);
  }

  /**
   * Whether the JSON text of `value` has the string `"$ref"` (or `"$dynamicRef"`,
   * `"$recursiveRef"`) in it, as a search of JSON.stringify(value) finds it: a reference at any
   * depth, which may name a different schema in each of two files that are otherwise equal
   * (`$dynamicRef` even in one file, by the path that reached it).
   */
  mentionsRef(value: unknown): boolean {
    if (typeof value === 'string') return mentionsRef(value);
    if (typeof value !== 'object' || value === null) return false;
    const known = this.#refs.get(value);
    if (known !== undefined) return known;
    const found = Array.isArray(value) ? value.some((entry) => this.mentionsRef(entry)) : Object.entries(value).some(([key, entry]) => mentionsRef(key) || this.mentionsRef(entry));
    this.#refs.set(value, found);
    return found;
  }

  #intern(text: string): number {
    let id = this.#byText.get(text);
    if (id === undefined) {
      id = this.#byText.size;
      this.#byText.set(text, id);
    }
    return id;
  }
}

/** Whether a string, written as JSON, holds a reference keyword in quotes (it is one, or holds a quote before it). */
function mentionsRef(text: string): boolean {
  return REFERENCE_KEYWORDS.some((word) => text.includes(word) && JSON.stringify(text).includes(`"${word}"`));
}
