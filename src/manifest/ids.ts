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
 * compareText) then numeric version. A version is taken as it is at the last commit of the
 * history; one deleted later is dropped, and its ID is never given to another version. Whether
 * such a change touched a *registered* version, one a published manifest holds, is for the
 * caller to say against that manifest (build-manifest.ts `verifyAgainst`): a pull request merged
 * with "Rebase and merge" lands each of its commits on the first-parent history, so a version it
 * adds and then fixes was changed on the default branch without ever being registered. A file
 * added where a version already is, or changed where none was added, cannot come from git's
 * diffs of a real history and is refused.
 */
export function assignIds(history: ReadonlyArray<{ commit: string; changes: readonly ChangedPath[] }>, catalogDir: string): { registrations: Registration[]; problems: string[]; nextId: number } {
  const problems: string[] = [];
  const byKey = new Map<string, Registration>();
  let next = 1;
  for (const { commit, changes } of history) {
    const added: Array<{ team: string; name: string; version: number; path: string }> = [];
    for (const change of changes) {
      const role = roleOf(change.path.slice(catalogDir.length + 1));
      if (role.role !== 'version') continue;
      const key = `${role.team}/${role.name}/${role.version}`;
      const landed = byKey.get(key);
      if (change.status === 'added' && !landed) added.push({ team: role.team, name: role.name, version: role.version, path: change.path });
      else if (change.status === 'deleted' && landed) byKey.delete(key);
      else if (change.status !== 'modified' || !landed) problems.push(`${change.path} was ${change.status === 'added' ? 'added again' : change.status} in commit ${commit.slice(0, 12)} ${landed ? `after it landed in ${landed.commit.slice(0, 12)}` : 'but never added before'}; this history cannot be registered`);
    }
    added.sort((a, b) => compareText(subjectOf(a.team, a.name), subjectOf(b.team, b.name)) || a.version - b.version);
    for (const entry of added) {
      byKey.set(`${entry.team}/${entry.name}/${entry.version}`, { subject: subjectOf(entry.team, entry.name), ...entry, id: next, commit });
      next += 1;
    }
  }
  // In landing order, as the IDs are.
  // nextId: past every ID given, those of versions deleted since too (never given again).
  return { registrations: [...byKey.values()].sort((a, b) => a.id - b.id), problems, nextId: next };
}
