import { describe, expect, it } from 'vitest';
import { closedKey, dataKey, gapKey, hourOf, lateKey, objectKeyOf, padOffset, parseObjectPlace, parseStateKey, quarantineKey, stateKey } from '../../../src/archive/layout.js';
import { eventTimeOf, routeHour } from '../../../src/archive/routing.js';
import { dataRow, quarantineRow, type KafkaRecord } from '../../../src/archive/rows.js';

const range = { topic: 'apps-users', partition: 2, first: 0n, last: 41n };
const hour = new Date('2024-05-01T13:00:00Z');

describe('lake layout (DESIGN.md §6)', () => {
  it('names objects by subject, version, UTC hour and a 20-digit offset range', () => {
    expect(dataKey('apps-users', 3, hour, range)).toBe('apps-users/v=3/dt=2024-05-01/hr=13/apps-users+2+00000000000000000000+00000000000000000041.jsonl.gz');
    expect(quarantineKey('apps-users', hour, range)).toBe('_quarantine/apps-users/dt=2024-05-01/hr=13/apps-users+2+00000000000000000000+00000000000000000041.jsonl.gz');
    expect(gapKey('apps-users', 2, 100n, 199n)).toBe('_gaps/apps-users/2/00000000000000000100-00000000000000000199.json');
    expect(closedKey('apps-users', 3, hour)).toBe('apps-users/v=3/dt=2024-05-01/hr=13/_CLOSED.json');
    expect(stateKey('apps-users', 2)).toBe('apps-users/2.json');
  });

  it('reads the partition back from a state key, and nothing from the closure state or lake objects', () => {
    expect(parseStateKey(stateKey('apps-users', 12))).toEqual({ topic: 'apps-users', partition: 12 });
    expect(parseStateKey('_closure/apps-users.json')).toBeUndefined();
    expect(parseStateKey('_closure/0.json')).toBeUndefined();
    expect(parseStateKey('_gaps/apps-users/2/00000000000000000100-00000000000000000199.json')).toBeUndefined();
    expect(parseStateKey('apps-users/v=3/dt=2024-05-01/hr=13/_CLOSED.json')).toBeUndefined();
    expect(parseStateKey('apps-users/02.json')).toBeUndefined();
  });

  it('reads the folder back from an object key, and nothing from keys outside the layout', () => {
    const name = 'apps-users+2+00000000000000000000+00000000000000000041.jsonl.gz';
    for (const key of [dataKey('apps-users', 3, hour, range), lateKey('apps-users', 3, hour, range), quarantineKey('apps-users', hour, range)]) {
      const place = parseObjectPlace(key);
      expect(place && objectKeyOf(place, range)).toBe(key);
    }
    expect(parseObjectPlace(lateKey('apps-users', 3, hour, range))).toEqual({ kind: 'late', subject: 'apps-users', version: 3, hour });
    expect(parseObjectPlace(quarantineKey('apps-users', hour, range))).toEqual({ kind: 'quarantine', subject: 'apps-users', version: null, hour });
    for (const key of [`apps-users/dt=2024-05-01/hr=13/${name}`, `_quarantine/apps-users/v=3/dt=2024-05-01/hr=13/${name}`, `_late/apps-users/dt=2024-05-01/hr=13/${name}`, `_gaps/v=3/dt=2024-05-01/hr=13/${name}`, `apps-users/v=03/dt=2024-05-01/hr=13/${name}`, `apps-users/v=3/dt=2024-02-30/hr=13/${name}`, `apps-users/v=3/dt=2024-05-01/hr=24/${name}`, `apps-users/v=3/dt=2024-05-01/${name}`, `x/apps-users/v=3/dt=2024-05-01/hr=13/${name}`]) {
      expect(parseObjectPlace(key)).toBeUndefined();
    }
  });

  it('pads offsets so lexical order is numeric order, up to the largest Kafka offset', () => {
    expect(padOffset('9223372036854775807')).toBe('09223372036854775807');
    expect([padOffset(9), padOffset(10), padOffset(100)].sort()).toEqual([padOffset(9), padOffset(10), padOffset(100)]);
    expect(() => padOffset(-1)).toThrow(RangeError);
  });

  it('cuts hours in UTC whatever the offset of the timestamp', () => {
    expect(hourOf(new Date('2024-05-01T15:59:59.999+02:00')).toISOString()).toBe('2024-05-01T13:00:00.000Z');
    expect(hourOf(new Date('2024-03-31T01:30:00Z')).toISOString()).toBe('2024-03-31T01:00:00.000Z');
  });
});

describe('routing a record to its hour', () => {
  const rfc = { field: '/occurredAt', format: 'rfc3339' as const };
  const millis = { field: '/at', format: 'epoch-millis' as const };
  const kafkaTime = Date.parse('2024-05-01T09:15:00Z');

  it('uses the event time when the subject names one and the record carries it', () => {
    expect(routeHour({ occurredAt: '2024-05-01T13:59:00Z' }, rfc, kafkaTime)).toEqual({ hour: new Date('2024-05-01T13:00:00Z'), source: 'event' });
    expect(routeHour({ at: Date.parse('2024-05-01T02:00:01Z') }, millis, kafkaTime)).toEqual({ hour: new Date('2024-05-01T02:00:00Z'), source: 'event' });
  });

  it('falls back to the Kafka timestamp, never the wall clock', () => {
    for (const value of [{}, { occurredAt: 'yesterday' }, { occurredAt: 5 }, null, 'x']) {
      expect(routeHour(value, rfc, kafkaTime)).toEqual({ hour: new Date('2024-05-01T09:00:00Z'), source: 'kafka' });
    }
    expect(routeHour({ occurredAt: '2024-05-01T13:00:00Z' }, null, kafkaTime).source).toBe('kafka');
    expect(eventTimeOf({ at: 1.5 }, millis)).toBeUndefined();
    // Outside the years the layout names (1970–9999): not a usable event time.
    expect(eventTimeOf({ at: -1 }, millis)).toBeUndefined();
    expect(eventTimeOf({ at: 9e15 }, millis)).toBeUndefined();
    expect(eventTimeOf({ occurredAt: '1969-12-31T23:59:59Z' }, rfc)).toBeUndefined();
    expect(eventTimeOf({ occurredAt: '9999-12-31T23:59:59Z' }, rfc)).toEqual(new Date('9999-12-31T23:59:59Z'));
  });
});

describe('lake rows', () => {
  const record: KafkaRecord = { topic: 'apps-users', partition: 2, offset: '41', timestamp: '1714554900000', key: Buffer.from('user-1'), value: Buffer.from('{"a":1}'), headers: { 'schema-id': Buffer.from('4'), binary: Buffer.from([0xff, 0x00]) } };

  it('wrap the event with Kafka coordinates and the schema', () => {
    expect(JSON.parse(dataRow(record, { a: 1 }, { id: 4, version: 3 }))).toEqual({
      value: { a: 1 },
      _kafka: { topic: 'apps-users', partition: 2, offset: '41', timestamp: '1714554900000', key: Buffer.from('user-1').toString('base64'), headers: { 'schema-id': '4', binary: { base64: '/wA=' } } },
      _schema: { id: 4, version: 3 },
    });
  });

  it('keep only the record’s own header values when a header is named like an Object.prototype member', () => {
    // kafkajs collects headers this way: a name already "present" (inherited) becomes an array.
    const collect = (pairs: Array<[string, Buffer]>): KafkaRecord['headers'] =>
      pairs.reduce<Record<string, unknown>>((headers, [name, value]) => ({ ...headers, [name]: headers[name] === undefined ? value : Array.isArray(headers[name]) ? (headers[name] as unknown[]).concat([value]) : [headers[name], value] }), {}) as KafkaRecord['headers'];
    const headers = collect([['constructor', Buffer.from('x')], ['__proto__', Buffer.from('y')], ['toString', Buffer.from('a')], ['toString', Buffer.from('b')]]);
    expect(JSON.parse(dataRow({ ...record, headers }, {}, { id: 4, version: 3 }))._kafka.headers).toEqual({ constructor: 'x', ['__proto__']: 'y', toString: ['a', 'b'] });
  });

  it('keep the raw bytes of quarantined records, as text or base64', () => {
    expect(JSON.parse(quarantineRow({ ...record, value: Buffer.from([0xc3, 0x28]) }, 'NOT_JSON', 'not UTF-8'))).toMatchObject({ raw: 'wyg=', rawEncoding: 'base64', reason: 'NOT_JSON' });
    expect(JSON.parse(quarantineRow({ ...record, value: Buffer.from('{oops') }, 'NOT_JSON', 'x'))).toMatchObject({ raw: '{oops', rawEncoding: 'utf-8' });
    expect(JSON.parse(quarantineRow({ ...record, key: null, value: null }, 'NO_SCHEMA_ID', 'x'))).toMatchObject({ raw: null, rawEncoding: null, _kafka: { key: null } });
  });
});
