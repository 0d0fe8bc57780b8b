import { roleOf } from '../catalog/layout.js';
import { subjectOf } from '../domain/names.js';
import { compareText } from '../domain/text-order.js';
import type { ChangedPath } from '../ports.js';

/** A version as registration sees it: who, which number, which ID, since when. */
export interface Registration {
  readonly subject: string;
  readonly team: string;
  readonly name: string;
  readonly version: number;
  readonly id: number;
  readonly commit: string;
  readonly path: string;
}

/**
 * IDs from the first-parent history of the default branch alone (DESIGN.md §4): versions in
 * landing order, within a commit by subject name (by code unit, the same in every locale: see
 * compareText) then numeric version. A history in which a registered version file was modified,
 * deleted or added twice is refused: IDs must never move.
 */
export function assignIds(history: ReadonlyArray<{ commit: string; changes: readonly ChangedPath[] }>, catalogDir: string): { registrations: Registration[]; problems: string[] } {
  const registrations: Registration[] = [];
  const problems: string[] = [];
  const byKey = new Map<string, Registration>();
  let next = 1;
  for (const { commit, changes } of history) {
    const added: Array<{ team: string; name: string; version: number; path: string }> = [];
    for (const change of changes) {
      const role = roleOf(change.path.slice(catalogDir.length + 1));
      if (role.role !== 'version') continue;
      const key = `${role.team}/${role.name}/${role.version}`;
      if (change.status === 'added' && !byKey.has(key)) added.push({ team: role.team, name: role.name, version: role.version, path: change.path });
      else problems.push(`${change.path} was ${change.status === 'added' ? 'added again' : change.status} in commit ${commit.slice(0, 12)} after it was registered in ${byKey.get(key)?.commit.slice(0, 12) ?? 'an earlier commit'}; registered versions are immutable, so this history cannot be registered`);
    }
    added.sort((a, b) => compareText(subjectOf(a.team, a.name), subjectOf(b.team, b.name)) || a.version - b.version);
    for (const entry of added) {
      const registration: Registration = { subject: subjectOf(entry.team, entry.name), ...entry, id: next, commit };
      next += 1;
      registrations.push(registration);
      byKey.set(`${entry.team}/${entry.name}/${entry.version}`, registration);
    }
  }
  return { registrations, problems };
}
