import type { Manifest, ManifestSubject } from './types.js';

const FIELDS: ReadonlyArray<keyof ManifestSubject> = ['description', 'owners', 'status', 'compatibility', 'topicConfig', 'eventTime', 'pii'];

/** What changes from one manifest to the next, as lines for a person (the plan's manifest diff). */
export function diffManifests(previous: Manifest | undefined, next: Manifest): string[] {
  const before = new Map((previous?.subjects ?? []).map((subject) => [subject.subject, subject]));
  const lines: string[] = [];
  for (const subject of next.subjects) {
    const old = before.get(subject.subject);
    if (!old) {
      lines.push(`+ ${subject.subject} (new subject, ${subject.versions.length} version${subject.versions.length === 1 ? '' : 's'})`);
      continue;
    }
    const known = new Set(old.versions.map((version) => version.version));
    for (const version of subject.versions) if (!known.has(version.version)) lines.push(`+ ${subject.subject} v${version.version} (ID ${version.id})`);
    for (const field of FIELDS) {
      if (JSON.stringify(old[field]) !== JSON.stringify(subject[field])) lines.push(`~ ${subject.subject} ${field}: ${JSON.stringify(old[field])} → ${JSON.stringify(subject[field])}`);
    }
  }
  for (const name of before.keys()) if (!next.subjects.some((subject) => subject.subject === name)) lines.push(`- ${name} (no longer in the catalog; its IDs stay reserved)`);
  return lines;
}
