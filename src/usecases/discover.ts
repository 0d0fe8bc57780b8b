import { SchemaflowError, UsageError, messageOf } from '../domain/errors.js';
import type { Manifest } from '../manifest/types.js';
import type { ObjectStore } from '../ports.js';
import { closestNames } from '../domain/closest-names.js';
import { searchDocuments, type SearchHit } from '../discovery/search.js';
import { renderSite, type SiteFile } from '../discovery/site.js';
import { fieldsByVersion, searchDocumentsOf, viewSubject, type Freshness, type Locations, type SubjectView } from '../discovery/view.js';
import { readClosure } from './close-hours.js';

/**
 * Discovery (DESIGN.md §7): search, show and the static site, from the published manifest plus
 * the lake's freshness when the lake can be read. A lake that cannot be read never fails a
 * command: its freshness is "unknown" with the reason. A state location whose bucket does not
 * exist is no lake out of reach but a mistyped setting, and fails it (BUCKET_NOT_FOUND, exit 2).
 */
export interface DiscoveryPorts {
  /** Loads `<manifest location>/latest.json`. */
  readonly manifest: () => Promise<Manifest>;
  /** Where the manifest was loaded from, for messages. */
  readonly manifestLabel: string;
  /** The flow's state location: `_closure/<subject>.json` holds each subject's last closed hour. */
  readonly state: ObjectStore;
  readonly locations: Locations;
  readonly clock: () => Date;
}

/** How long a freshness read may take before the lake counts as not reachable. */
export const FRESHNESS_TIMEOUT_MS = 5_000;
/** Closure states read at once when building the site. */
const FRESHNESS_CONCURRENCY = 16;

/**
 * The latest closed hour of a subject, from `<state>/_closure/<subject>.json`. An unreachable
 * or slow store (bounded by `timeoutMs`) or an unreadable state is "unknown"; it throws only a
 * configuration error (a UsageError: the store's bucket does not exist), which no wait mends.
 */
export async function readFreshness(state: ObjectStore, subject: string, timeoutMs = FRESHNESS_TIMEOUT_MS): Promise<Freshness> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<Freshness>((resolve) => {
    timer = setTimeout(() => resolve({ state: 'unknown', reason: `lake not reachable: ${state.location} did not answer within ${timeoutMs / 1000} s` }), timeoutMs);
  });
  const read = readClosure(state, subject).then(
    ({ closure }): Freshness => (closure.closedThrough ? { state: 'closed', closedThrough: closure.closedThrough } : { state: 'none' }),
    (error: unknown): Freshness => {
      if (error instanceof UsageError) throw error;
      if (error instanceof SchemaflowError && error.code === 'STATE_CORRUPT') return { state: 'unknown', reason: `closure state unreadable: ${error.message}` };
      return { state: 'unknown', reason: `lake not reachable: ${messageOf(error)}` };
    },
  );
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The ranked subjects matching every word of `query` (see `searchDocuments`). */
export async function searchCatalog(ports: Pick<DiscoveryPorts, 'manifest'>, query: string, limit?: number): Promise<{ manifest: Manifest; hits: SearchHit[]; total: number }> {
  if (query.trim() === '') throw new UsageError('search needs some text, e.g. schemaflow search email');
  const manifest = await ports.manifest();
  const hits = searchDocuments(searchDocumentsOf(manifest), query);
  return { manifest, hits: limit === undefined ? hits : hits.slice(0, limit), total: hits.length };
}

/** Everything about one subject, with its freshness. An unknown name is a usage error suggesting the closest ones. */
export async function showSubject(ports: DiscoveryPorts, name: string): Promise<{ manifest: Manifest; view: SubjectView; freshness: Freshness }> {
  const manifest = await ports.manifest();
  const subject = manifest.subjects.find((candidate) => candidate.subject === name);
  if (!subject) {
    const closest = closestNames(manifest.subjects.map((candidate) => candidate.subject), name);
    const hint = closest.length > 0 ? ` Did you mean ${closest.join(', ')}?` : '';
    throw new UsageError(`no subject ${JSON.stringify(name)} in the manifest ${ports.manifestLabel} (serial ${manifest.serial}, ${manifest.subjects.length} subjects).${hint} Run 'schemaflow search ${name}' to look by field, owner or description.`, { code: 'SUBJECT_UNKNOWN' });
  }
  return { manifest, view: viewSubject(subject, ports.locations), freshness: await readFreshness(ports.state, subject.subject) };
}

/**
 * The static catalog's files. Freshness is read for every subject, at most 16 at a time; when
 * the first read finds the lake not reachable, the others are not tried (one slow timeout,
 * not one per subject) and every subject says why.
 */
export async function buildSite(ports: DiscoveryPorts): Promise<{ manifest: Manifest; files: SiteFile[]; lake: string }> {
  const manifest = await ports.manifest();
  const views = manifest.subjects.map((subject) => viewSubject(subject, ports.locations, fieldsByVersion(subject)));
  const freshness = new Map<string, Freshness>();
  const names = manifest.subjects.map((subject) => subject.subject);
  const first = names[0];
  let lake = `${ports.state.location}: no subjects`;
  if (first !== undefined) {
    const probe = await readFreshness(ports.state, first);
    freshness.set(first, probe);
    if (probe.state === 'unknown' && probe.reason.startsWith('lake not reachable')) {
      for (const name of names) freshness.set(name, probe);
      lake = probe.reason;
    } else {
      let next = 1;
      const worker = async (): Promise<void> => {
        while (next < names.length) {
          const name = names[next] as string;
          next += 1;
          freshness.set(name, await readFreshness(ports.state, name));
        }
      };
      await Promise.all(Array.from({ length: Math.min(FRESHNESS_CONCURRENCY, names.length) }, worker));
      lake = `freshness read from ${ports.state.location}`;
    }
  }
  return { manifest, files: renderSite({ manifest, views, freshness, readAt: ports.clock().toISOString() }), lake };
}
