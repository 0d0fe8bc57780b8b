import { afterAll, describe, expect, it } from 'vitest';
import { openRepository } from '../../../src/adapters/git/repository.js';
import { sampleCandidates, sampleTime } from '../../../src/demo/samples.js';
import { eventTimeOf } from '../../../src/archive/routing.js';
import { createSchemaRegistry } from '../../../src/manifest/registry.js';
import type { ManifestSubject } from '../../../src/manifest/types.js';
import { buildCatalogManifest } from '../../../src/usecases/build-manifest.js';
import { createTestRepo } from '../../support/git-repo.js';

describe('demo sample events', () => {
  const repo = createTestRepo();
  afterAll(() => repo.dispose());
  const { manifest } = buildCatalogManifest(openRepository(repo.root), { catalogDir: 'catalog' });
  const registry = createSchemaRegistry(manifest);
  const now = new Date('2026-12-01T12:34:56Z');
  const firstValid = (subject: ManifestSubject, index: number): unknown => sampleCandidates(subject, subject.versions.at(-1)?.schema, index, now).find((event) => registry.resolve(subject.subject).validate(event).length === 0);

  it.each(manifest.subjects.map((subject) => [subject.subject, subject] as const))('%s: generated events are valid, varied, and carry their sample time', (_, subject) => {
    const events = Array.from({ length: 50 }, (__, index) => firstValid(subject, index));
    expect(events.every((event) => event !== undefined)).toBe(true);
    // Generated, not the one minimal example: most events differ from each other.
    expect(new Set(events.map((event) => JSON.stringify(event))).size).toBe(50);
    events.forEach((event, index) => expect(eventTimeOf(event, subject.eventTime)).toEqual(sampleTime(now, index)));
  });

  it('spreads sample times over the four hours before now, never in the future', () => {
    const hours = new Set(Array.from({ length: 40 }, (_, index) => Math.floor(sampleTime(now, index).getTime() / 3_600_000)));
    expect(hours.size).toBeGreaterThanOrEqual(4);
    for (let index = 0; index < 40; index += 1) expect(sampleTime(now, index).getTime()).toBeLessThan(now.getTime());
  });

  it("prefers the schema's own examples", () => {
    const [subject] = manifest.subjects;
    if (!subject) throw new Error('no subject');
    const schema = { ...(subject.versions.at(-1)?.schema as object), examples: [{ given: 'by the schema' }] };
    expect(sampleCandidates({ ...subject, eventTime: null }, schema, 3, now)[0]).toEqual({ given: 'by the schema' });
  });
});
