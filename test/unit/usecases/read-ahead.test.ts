import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openObjectStore } from '../../../src/adapters/lake/object-store.js';
import type { ObjectStore } from '../../../src/ports.js';
import { readAhead } from '../../../src/usecases/read-ahead.js';

const root = mkdtempSync(join(tmpdir(), 'schemaflow-read-ahead-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A file store whose reads are counted while in flight, and fail for `failing`. */
function counted(store: ObjectStore, failing = ''): { store: ObjectStore; most: () => number } {
  let inFlight = 0;
  let most = 0;
  return {
    most: () => most,
    store: {
      ...store,
      location: store.location,
      list: (prefix) => store.list(prefix),
      get: async (key) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, 2));
          if (key === failing) throw new Error(`cannot read ${key}`);
          return await store.get(key);
        } finally {
          inFlight -= 1;
        }
      },
    },
  };
}

describe('readAhead', () => {
  it('yields every object in order with several reads in flight, never more than eight', async () => {
    const store = openObjectStore(`file://${join(root, 'many')}`);
    for (let index = 0; index < 30; index += 1) await store.create(`k${String(index).padStart(2, '0')}`, Buffer.from(String(index)));
    const listing = await store.list('');
    const { store: reading, most } = counted(store);
    const seen: string[] = [];
    for await (const { item, object } of readAhead(reading, listing, (entry) => entry)) {
      expect(Buffer.from(object?.bytes ?? []).toString()).toBe(String(Number(item.key.slice(1))));
      seen.push(item.key);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(seen).toEqual(listing.map((entry) => entry.key));
    expect(most()).toBeGreaterThan(1);
    expect(most()).toBeLessThanOrEqual(8);
  });

  it('holds at most 64 MiB of listed sizes ahead, and always reads one object however large', async () => {
    const store = openObjectStore(`file://${join(root, 'large')}`);
    for (let index = 0; index < 5; index += 1) await store.create(`k${index}`, Buffer.from('x'));
    const listing = (await store.list('')).map((entry) => ({ ...entry, size: 40 << 20 }));
    const { store: reading, most } = counted(store);
    let count = 0;
    for await (const { object } of readAhead(reading, listing, (entry) => entry)) count += object ? 1 : 0;
    expect(count).toBe(5);
    expect(most()).toBe(1);
  });

  it('gives undefined for an object deleted since it was listed, and throws a failed read at its turn', async () => {
    const store = openObjectStore(`file://${join(root, 'faults')}`);
    for (const key of ['a', 'b', 'c']) await store.create(key, Buffer.from(key));
    const listing = [...(await store.list('')), { key: 'gone', generation: '1', size: 1 }];
    const { store: reading } = counted(store, 'c');
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const { item, object } of readAhead(reading, listing, (entry) => entry)) seen.push(`${item.key}:${object ? 'read' : 'absent'}`);
      })(),
    ).rejects.toThrow('cannot read c');
    expect(seen).toEqual(['a:read', 'b:read']);
    const rest: string[] = [];
    for await (const { item, object } of readAhead(store, listing.slice(3), (entry) => entry)) rest.push(`${item.key}:${object ? 'read' : 'absent'}`);
    expect(rest).toEqual(['gone:absent']);
  });
});
