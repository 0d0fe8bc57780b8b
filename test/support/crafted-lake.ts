import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openObjectStore } from '../../src/adapters/lake/object-store.js';
import { padOffset, stateKey } from '../../src/archive/layout.js';
import { initialState, serializeState } from '../../src/archive/state.js';
import { LAKE_FORMAT, sha256 } from '../../src/usecases/lake-objects.js';
import { auditLake } from '../../src/usecases/audit-lake.js';
import type { AuditProblem } from '../../src/usecases/audit-codes.js';

/** One crafted data object: its name's range, the offsets its lines hold, and its unit. */
export interface CraftedObject {
  readonly hour?: string;
  readonly first: bigint;
  readonly last: bigint;
  readonly offsets: ReadonlyArray<bigint>;
  readonly unit: readonly [bigint, bigint, number];
  readonly meta?: Record<string, string>;
}

export interface CraftedLake {
  readonly objects: readonly CraftedObject[];
  readonly gaps?: ReadonlyArray<readonly [bigint, bigint]>;
  /** Hour folder (hr=00) → the keys its _CLOSED.json lists (file names in that folder), or raw text. */
  readonly markers?: Readonly<Record<string, readonly string[] | string>>;
  readonly state: { readonly start: bigint; readonly next: bigint };
}

const TOPIC = 'apps-users';

/** Writes the crafted lake to a fresh file lake (a temporary directory, removed with the run's: see temp-root.ts); returns its stores. */
export async function writeLake(spec: CraftedLake, where: { lakeUrl?: string; stateUrl?: string } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'schemaflow-crafted-lake-'));
  const lake = openObjectStore(where.lakeUrl ?? `file://${root}/lake`);
  const state = openObjectStore(where.stateUrl ?? `file://${root}/lake/_state`);
  for (const object of spec.objects) {
    const content = Buffer.from(object.offsets.map((offset) => `{"_kafka":{"topic":"${TOPIC}","partition":0,"offset":"${offset}"},"value":{}}\n`).join(''));
    const key = `${TOPIC}/v=1/dt=2026-11-30/${object.hour ?? 'hr=00'}/${TOPIC}+0+${padOffset(object.first)}+${padOffset(object.last)}.jsonl.gz`;
    await lake.create(key, gzipSync(content), {
      metadata: { 'lake-format': LAKE_FORMAT, kind: 'data', topic: TOPIC, partition: '0', first: String(object.first), last: String(object.last), count: String(object.offsets.length), sha256: sha256(content), 'unit-start': String(object.unit[0]), 'unit-end': String(object.unit[1]), 'unit-records': String(object.unit[2]), 'run-id': 'r', ...object.meta },
    });
  }
  for (const [from, to] of spec.gaps ?? []) {
    const bytes = Buffer.from(JSON.stringify({ topic: TOPIC, partition: 0, from: String(from), to: String(to) }));
    await lake.create(`_gaps/${TOPIC}/0/${padOffset(from)}-${padOffset(to)}.json`, bytes, { metadata: { kind: 'gap' } });
  }
  for (const [hour, listed] of Object.entries(spec.markers ?? {})) {
    const folder = `${TOPIC}/v=1/dt=2026-11-30/${hour}/`;
    const text = typeof listed === 'string' ? listed : JSON.stringify({ objects: listed.map((name) => ({ key: `${folder}${name}` })) });
    await lake.create(`${folder}_CLOSED.json`, Buffer.from(text));
  }
  await state.create(stateKey(TOPIC, 0), serializeState({ ...initialState(TOPIC, 0, spec.state.start), next: String(spec.state.next), revision: 1 }));
  return { lake, state };
}

/** Every problem `lake audit` finds in the crafted lake, as its code and message. */
export async function auditFindings(spec: CraftedLake): Promise<AuditProblem[]> {
  const report = await auditLake(await writeLake(spec));
  return [...report.hourProblems, ...report.partitions.flatMap((entry) => entry.problems)];
}

/** The message of every problem `lake audit` finds in the crafted lake. */
export async function auditProblems(spec: CraftedLake): Promise<string[]> {
  return (await auditFindings(spec)).map((problem) => problem.message);
}
