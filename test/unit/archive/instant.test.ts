import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { eventTimeOf, routeHour } from '../../../src/archive/routing.js';
import { addSchemaFormats } from '../../../src/catalog/schema-compiler.js';
import { isoInstantMs } from '../../../src/domain/instant.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** A seeded generator: the same strings every run, so a failure names a string that reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const SWAPS = '0123456789-:.TZtz +9';

/**
 * toISOString() texts from 1900 to 2100 (leap days, month and year ends weighted in), each also
 * with one character replaced, dropped or doubled: the canonical shape and everything near it.
 */
function texts(count: number): string[] {
  const next = random(7);
  const edges = ['2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '2100-02-29T12:00:00Z', '2000-02-29T23:59:59.999Z', '2026-04-31T00:00:00Z', '2026-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z', '2026-06-30T23:59:60Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-01-00T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:60:00Z', '9999-12-31T23:59:59.999Z', '0050-01-01T00:00:00Z'];
  const out = [...edges];
  const from = Date.UTC(1900, 0, 1);
  const span = Date.UTC(2100, 11, 31) - from;
  for (let index = 0; out.length < count; index += 1) {
    const base = new Date(from + Math.floor(next() * span)).toISOString();
    const text = index % 3 === 0 ? base.replace(/\.\d{3}Z$/, 'Z') : base;
    out.push(text);
    const at = Math.floor(next() * text.length);
    const swap = SWAPS[Math.floor(next() * SWAPS.length)] as string;
    const kind = Math.floor(next() * 3);
    out.push(kind === 0 ? text.slice(0, at) + swap + text.slice(at + 1) : kind === 1 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + text[at] + text.slice(at));
  }
  return out;
}

describe('the fast path for toISOString() timestamps', () => {
  it('reads the canonical shape exactly as Date.parse does, at either precision', () => {
    for (const text of ['2026-12-07T02:03:04Z', '2026-12-07T02:03:04.567Z', '2024-02-29T23:59:59.999Z', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z']) expect(isoInstantMs(text)).toBe(Date.parse(text));
  });

  it('declines what it does not read (the general rule decides those)', () => {
    for (const text of ['2026-12-07t02:03:04z', '2026-12-07T02:03:04+00:00', '2026-12-07T02:03:04.5Z', '2026-12-07 02:03:04Z', '2026-06-30T23:59:60Z', '2023-02-29T00:00:00Z', '1969-12-31T23:59:59Z', '0050-01-01T00:00:00Z', '２026-12-07T02:03:04Z', '']) expect(isoInstantMs(text)).toBeUndefined();
  });

  it('never disagrees with the general rules: the event time and ajv-formats give every string the same answer', () => {
    const general = new Ajv({ validateFormats: true });
    addFormats(general);
    const fast = new Ajv({ validateFormats: true });
    addSchemaFormats(fast);
    const schema = { type: 'string', format: 'date-time' };
    const [generalValid, fastValid] = [general.compile(schema), fast.compile(schema)];
    const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
    const spec = { field: '/at', format: 'rfc3339' as const };
    let read = 0;
    for (const text of texts(40_000)) {
      const instant = isoInstantMs(text);
      if (instant !== undefined) {
        read += 1;
        expect({ text, parsed: Date.parse(text), general: RFC3339.test(text) && generalValid(text) }).toEqual({ text, parsed: instant, general: true });
      }
      expect({ text, valid: fastValid(text) }).toEqual({ text, valid: generalValid(text) });
      // A date-time ajv-formats refuses (2026-04-31, hour 24) states no time: Date.parse rolls it over.
      const parsed = RFC3339.test(text) && generalValid(text) ? Date.parse(text) : Number.NaN;
      expect({ text, at: eventTimeOf({ at: text }, spec)?.getTime() }).toEqual({ text, at: parsed >= 0 && parsed <= Date.UTC(9999, 11, 31, 23, 59, 59, 999) ? parsed : undefined });
    }
    // Most strings took the fast path, and many did not: both sides were compared.
    expect(read).toBeGreaterThan(10_000);
    expect(read).toBeLessThan(30_000);
  });
});

/**
 * Regression: with the subject's date-time format lint switched off, an event time the calendar
 * lacks was read through Date.parse, which rolls it over: 2026-04-31T10:00 was filed under
 * dt=2026-05-01, a day the event does not state. It now states no time: the Kafka timestamp files it.
 */
it('reads no event time from a day the calendar lacks or hour 24, at any offset, and files the record by its Kafka time', () => {
  const spec = { field: '/at', format: 'rfc3339' as const };
  for (const at of ['2026-04-31T10:00:00Z', '2026-04-31T10:00:00+02:00', '2023-02-29t00:00:00z', '2026-01-01T24:00:00Z', '2026-01-01 24:00:00.5+01:00']) {
    expect({ at, time: eventTimeOf({ at }, spec) }).toEqual({ at, time: undefined });
    expect(routeHour({ at }, spec, Date.UTC(2026, 3, 30, 9, 30))).toEqual({ hour: new Date(Date.UTC(2026, 3, 30, 9)), source: 'kafka' });
  }
  expect(eventTimeOf({ at: '2024-02-29T23:30:00-01:00' }, spec)).toEqual(new Date(Date.UTC(2024, 2, 1, 0, 30)));
});
