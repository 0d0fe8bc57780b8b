import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventJson } from '../../../src/archive/event-json.js';

/** What the flow writes for an event sent as `text`. */
const written = (text: string): string => eventJson(JSON.parse(text), text);

describe('eventJson: a data row keeps the numbers the producer sent', () => {
  it('writes JSON.stringify of the value, byte for byte, when every number survives a double (lakes already hold such rows)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1, '\t'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(eventJson(JSON.parse(text), text)).toBe(JSON.stringify(value));
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps the digits of integers beyond 2^53 and of numbers a double changes, and writes the others as JavaScript does', () => {
    expect(written('{"id":12345678901234567891,"n":1}')).toBe('{"id":12345678901234567891,"n":1}');
    expect(written('{"id":-9223372036854775808}')).toBe('{"id":-9223372036854775808}');
    expect(written('{"a":-0,"b":1e400,"c":1E2,"d":0.1,"e":-0.0e0,"f":1.50,"g":9007199254740993,"h":0.30000000000000000001}')).toBe('{"a":-0,"b":1e400,"c":100,"d":0.1,"e":-0.0e0,"f":1.5,"g":9007199254740993,"h":0.30000000000000000001}');
    expect(written('12345678901234567891')).toBe('12345678901234567891');
    expect(written('[1, 12345678901234567891, [-12345678901234567891e-3]]')).toBe('[1,12345678901234567891,[-12345678901234567891e-3]]');
    // Exactly representable however long: written as JavaScript does.
    expect(written('{"a":100000000000000000000,"b":1234567890123456,"c":1e0000000000000000000001}')).toBe('{"a":100000000000000000000,"b":1234567890123456,"c":10}');
  });

  it('minifies, orders keys and resolves duplicates as JSON.parse did for the value the validator saw', () => {
    expect(written('{ "id" : 12345678901234567891 ,\n  "s": "x y" }')).toBe('{"id":12345678901234567891,"s":"x y"}');
    expect(written('{"id":12345678901234567891,"id":5}')).toBe('{"id":5}');
    expect(written('{"id":5,"x":true,"id":12345678901234567891}')).toBe('{"id":12345678901234567891,"x":true}');
    expect(written('{"b":1,"1":99999999999999999999,"0":true}')).toBe('{"0":true,"1":99999999999999999999,"b":1}');
    expect(written('{"__proto__":12345678901234567891}')).toBe('{"__proto__":12345678901234567891}');
  });

  it('reads digits inside strings as text, whatever their escapes, and never mistakes a string for a number it replaced', () => {
    expect(written('{"s":"12345678901234567891 -0 1e400"}')).toBe('{"s":"12345678901234567891 -0 1e400"}');
    expect(written('{"s":"a\\"b\\\\","n":12345678901234567891,"t":"\\"1e400"}')).toBe('{"s":"a\\"b\\\\","n":12345678901234567891,"t":"\\"1e400"}');
    expect(written('{"s":"\\u0000#0","t":"\\u0000\\u0000#1","n":12345678901234567891,"m":-0}')).toBe('{"s":"\\u0000#0","t":"\\u0000\\u0000#1","n":12345678901234567891,"m":-0}');
    expect(written('{"\\u0000#0":12345678901234567891}')).toBe('{"\\u0000#0":12345678901234567891}');
    expect(written('{"s":"\\\\u0000#0","n":12345678901234567891}')).toBe('{"s":"\\\\u0000#0","n":12345678901234567891}');
  });

  it('names the same values as the text, and writes each number a double would change as sent', () => {
    const big = fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n });
    const entry = fc.tuple(fc.string({ unit: 'binary', maxLength: 6 }), fc.oneof(big, fc.jsonValue({ maxDepth: 2 })));
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: ([key]) => key, maxLength: 6 }), (entries) => {
        const text = `{${entries.map(([key, value]) => `${JSON.stringify(key)}: ${typeof value === 'bigint' ? value.toString() : JSON.stringify(value)}`).join(', ')}}`;
        const out = written(text);
        expect(JSON.parse(out)).toEqual(JSON.parse(text));
        for (const [key, value] of entries) if (typeof value === 'bigint') expect(out).toContain(`${JSON.stringify(key)}:${String(Number(value)) === value.toString() ? String(Number(value)) : value.toString()}`);
      }),
      { numRuns: 1_000 },
    );
  });

  it('writes JSON.stringify of the value when no text is given', () => {
    expect(eventJson({ id: 2 ** 60 })).toBe(JSON.stringify({ id: 2 ** 60 }));
  });
});
