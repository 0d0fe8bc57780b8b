import { MAX_TOPIC_LENGTH, NAME_PATTERN, TEAM_PATTERN, subjectOf, versionOfFile } from '../domain/names.js';

/** What a path inside the catalog directory is, by position and name (DESIGN.md §2). */
export type CatalogPathRole =
  | { readonly role: 'catalog-config' }
  | { readonly role: 'overrides' }
  | { readonly role: 'readme' }
  | { readonly role: 'subject-readme'; readonly team: string; readonly name: string }
  | { readonly role: 'subject-config'; readonly team: string; readonly name: string }
  | { readonly role: 'version'; readonly team: string; readonly name: string; readonly version: number }
  | { readonly role: 'bad-version-name'; readonly team: string; readonly name: string }
  | { readonly role: 'subject-entry'; readonly team: string; readonly name: string }
  | { readonly role: 'stray' };

/**
 * Classifies a path relative to the catalog directory (`apps/users/2.json`). A README.md is part
 * of the layout at the catalog root, in a team and in a subject, and nowhere deeper. One in a
 * subject belongs to that subject, so its directory names are checked like any subject file's:
 * otherwise a README could put a badly named directory on the base branch unchecked, and the
 * directory's later first version would no longer look new.
 */
export function roleOf(relative: string): CatalogPathRole {
  const parts = relative.split('/');
  const file = parts.at(-1) ?? '';
  if (file === 'README.md' && parts.length <= 2) return { role: 'readme' };
  if (file === 'README.md' && parts.length === 3) return { role: 'subject-readme', team: parts[0] ?? '', name: parts[1] ?? '' };
  if (parts.length === 1) return file === 'catalog.yaml' ? { role: 'catalog-config' } : file === 'overrides.yaml' ? { role: 'overrides' } : { role: 'stray' };
  if (parts.length !== 3) return parts.length > 3 ? { role: 'subject-entry', team: parts[0] ?? '', name: parts[1] ?? '' } : { role: 'stray' };
  const [team = '', name = ''] = parts;
  if (file === 'subject.yaml') return { role: 'subject-config', team, name };
  const version = versionOfFile(file);
  if (version !== undefined) return { role: 'version', team, name, version };
  if (file.toLowerCase().endsWith('.json')) return { role: 'bad-version-name', team, name };
  return { role: 'subject-entry', team, name };
}

/** Problems with a team/name pair, as sentences; empty when the subject name is valid. */
export function nameProblems(team: string, name: string): Array<{ code: 'INVALID_TEAM_NAME' | 'INVALID_SUBJECT_NAME' | 'TOPIC_NAME_TOO_LONG'; message: string }> {
  const problems: Array<{ code: 'INVALID_TEAM_NAME' | 'INVALID_SUBJECT_NAME' | 'TOPIC_NAME_TOO_LONG'; message: string }> = [];
  if (!TEAM_PATTERN.test(team)) {
    problems.push({ code: 'INVALID_TEAM_NAME', message: `The team directory ${JSON.stringify(team)} is not a valid team name: use a lowercase letter followed by lowercase letters and digits (e.g. "payments").` });
  }
  if (!NAME_PATTERN.test(name)) {
    problems.push({ code: 'INVALID_SUBJECT_NAME', message: `The subject directory ${JSON.stringify(name)} is not a valid name: use lowercase letters, digits and inner dashes, starting with a letter and ending with a letter or digit, at least 2 characters (e.g. "order-placed").` });
  }
  const topic = subjectOf(team, name);
  if (topic.length > MAX_TOPIC_LENGTH) {
    problems.push({ code: 'TOPIC_NAME_TOO_LONG', message: `The subject ${topic.slice(0, 40)}… is ${topic.length} characters; Kafka topic names may have at most ${MAX_TOPIC_LENGTH}. Shorten the directory name.` });
  }
  return problems;
}
