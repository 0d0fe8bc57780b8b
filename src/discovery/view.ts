import type { Manifest, ManifestSubject, ManifestVersion } from '../manifest/types.js';
import { diffFields, isPartialDiff, type FieldChange } from './diff.js';
import { extractFields, type FieldList, type FieldTruncation, type SchemaField } from './fields.js';
import type { SearchDocument } from './search.js';
import { duckdbQuery, manifestLocation, producerSnippet } from './snippets.js';

/**
 * How fresh a subject's history is in the lake: the latest hour the flow closed (DESIGN.md §6,
 * `<state>/_closure/<subject>.json`), none yet, or unknown because the lake could not be read.
 */
export type Freshness =
  | { readonly state: 'closed'; readonly closedThrough: string }
  | { readonly state: 'none' }
  /** `reason` reads after "unknown": `lake not reachable: …`, `closure state unreadable: …`. */
  | { readonly state: 'unknown'; readonly reason: string };

/** `latest closed hour 2026-11-30 10:00 UTC …`, `no hour closed yet`, `unknown (lake not reachable: …)`. */
export function describeFreshness(freshness: Freshness): string {
  if (freshness.state === 'none') return 'no hour closed yet';
  if (freshness.state === 'unknown') return `unknown (${freshness.reason})`;
  const hour = freshness.closedThrough;
  return `latest closed hour ${hour.slice(0, 10)} ${hour.slice(11, 13)}:00 UTC (dt=${hour.slice(0, 10)}/hr=${hour.slice(11, 13)} and every hour before it is complete)`;
}

/** One registered version with its fields and what changed since the version before it. */
export interface VersionView extends Omit<ManifestVersion, 'schema'> {
  readonly fields: readonly SchemaField[];
  /** Set when the field list is incomplete (see `extractFields`). */
  readonly fieldsTruncated?: FieldTruncation;
  /** Against the previous version; empty for the first. */
  readonly changes: readonly FieldChange[];
  /** Set when either version's field list is cut short: `changes` leaves out what lies past the cut. */
  readonly changesPartial?: true;
}

/** Everything discovery says about a subject, for `show` and the site's subject page. */
export interface SubjectView {
  readonly subject: ManifestSubject;
  /** Ascending by version number; never empty for a registered subject. */
  readonly versions: readonly VersionView[];
  /** `<lake>/<lakePath>`, e.g. `gs://acme-lake/events/apps-users/`. */
  readonly lakeLocation: string;
  readonly query: string;
  /** Empty when the subject has no version (nothing can be produced yet). */
  readonly producer: string;
}

/** Where the catalog's lake and manifest are: the `lakeUrl` and `manifestUrl` settings. */
export interface Locations {
  readonly lakeUrl: string;
  readonly manifestUrl: string;
}

/** `<lake>/<lakePath>`: where a subject's history is, e.g. `gs://acme-lake/events/apps-users/`. */
export function lakeLocationOf(lakeUrl: string, lakePath: string): string {
  return `${lakeUrl.replace(/\/+$/, '')}/${lakePath.replace(/^\/+/, '')}`;
}

/** The topic settings a consumer cares about: `6 partitions, retention 604800000 ms, cleanup delete`. */
export function topicSummary(subject: ManifestSubject): string {
  const config = subject.topicConfig;
  return [config.partitions !== undefined ? `${config.partitions} partitions` : '', config.retentionMs !== undefined ? `retention ${config.retentionMs} ms` : '', config.cleanupPolicy ? `cleanup ${config.cleanupPolicy}` : ''].filter(Boolean).join(', ');
}

/** The fields of every version of a subject, ascending by version. */
export function fieldsByVersion(subject: ManifestSubject): FieldList[] {
  return [...subject.versions].sort((a, b) => a.version - b.version).map((version) => extractFields(version.schema, subject.pii));
}

/** The view of one subject: versions with fields and diffs, lake location, query and producer snippet. */
export function viewSubject(subject: ManifestSubject, locations: Locations, fields: readonly FieldList[] = fieldsByVersion(subject)): SubjectView {
  const versions = [...subject.versions].sort((a, b) => a.version - b.version);
  const views = versions.map((version, index): VersionView => {
    const list = fields[index] ?? { fields: [] };
    const previous = index === 0 ? undefined : (fields[index - 1] ?? { fields: [] });
    return {
      version: version.version,
      id: version.id,
      fingerprint: version.fingerprint,
      path: version.path,
      registeredIn: version.registeredIn,
      fields: list.fields,
      ...(list.truncated ? { fieldsTruncated: list.truncated } : {}),
      changes: previous ? diffFields(previous, list) : [],
      ...(previous && isPartialDiff(previous, list) ? { changesPartial: true as const } : {}),
    };
  });
  const latest = versions.at(-1);
  return {
    subject,
    versions: views,
    lakeLocation: lakeLocationOf(locations.lakeUrl, subject.lakePath),
    query: duckdbQuery(subject.subject, locations.lakeUrl, subject.lakePath),
    producer: latest ? producerSnippet({ subject: subject.subject, version: latest.version, schema: latest.schema, manifestLocation: manifestLocation(locations.manifestUrl) }) : '',
  };
}

/**
 * The search document of a subject: every field pointer of every version once, with the newest
 * version's description of it (a field that was removed keeps its last description).
 */
export function searchDocumentOf(subject: ManifestSubject, fields: readonly (readonly SchemaField[])[]): SearchDocument {
  const byPointer = new Map<string, string>();
  for (let index = fields.length - 1; index >= 0; index -= 1) {
    for (const field of fields[index] ?? []) if (!byPointer.has(field.pointer)) byPointer.set(field.pointer, field.description);
  }
  return {
    subject: subject.subject,
    topic: subject.topic,
    lakePath: subject.lakePath,
    status: subject.status,
    description: subject.description,
    owners: subject.owners,
    fields: [...byPointer].map(([pointer, description]) => ({ pointer, description })),
  };
}

/** The search documents of a whole manifest, one per subject. */
export function searchDocumentsOf(manifest: Manifest): SearchDocument[] {
  return manifest.subjects.map((subject) => searchDocumentOf(subject, fieldsByVersion(subject).map((list) => list.fields)));
}
