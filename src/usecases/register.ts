import { SchemaflowError } from '../domain/errors.js';
import type { Finding } from '../domain/finding.js';
import { roleOf } from '../catalog/layout.js';
import { diffManifests } from '../manifest/diff.js';
import type { Manifest } from '../manifest/types.js';
import type { ObjectStore, Repository } from '../ports.js';
import { planTopics, type TopicAdmin, type TopicPlan } from '../topics/plan.js';
import { buildCatalogManifest } from './build-manifest.js';
import { EMPTY_TREE, checkCatalog, type CheckReport } from './check-catalog.js';
import { refuseShallowClone } from './full-history.js';
import { publishManifest, readPublishedManifest, type PublishOutcome } from './publish-manifest.js';

export interface RegisterOptions {
  readonly catalogDir: string;
  readonly environment?: string;
  /** Plan only: nothing is created, altered or published. */
  readonly dryRun: boolean;
  /** Also revert topic configs the catalog does not explain (drift). */
  readonly reconcile: boolean;
}

export interface RegisterReport {
  readonly manifest: Manifest;
  /** Versions the last manifest did not have, with the IDs they get. */
  readonly newVersions: ReadonlyArray<{ subject: string; version: number; id: number }>;
  /** Without live state (no cluster), every topic is planned as a creation: provisional. */
  readonly topics: TopicPlan & { readonly live: boolean };
  readonly publish: PublishOutcome | { readonly status: 'dry-run' };
  readonly previousSerial: number | undefined;
  /** The manifest diff against the last published one. */
  readonly changes: readonly string[];
}

/** Registration stopped before anything was published: the findings say why. */
export class RegistrationRefused extends SchemaflowError {
  readonly findings: readonly Finding[];
  constructor(message: string, findings: readonly Finding[]) {
    super('REGISTRATION_REFUSED', message);
    this.findings = findings;
  }
}

const LATEST = 'latest.json';

/**
 * Registration on the default branch (DESIGN.md §4): re-verify everything new since the last
 * manifest (immutability, lint, compatibility, fingerprints), build the manifest (IDs from
 * history), plan topics against the live cluster and apply the plan, then publish. Any
 * violation stops the whole commit before a topic or a manifest changes.
 */
export async function registerCatalog(ports: { repository: Repository; manifests: ObjectStore; topics?: TopicAdmin }, options: RegisterOptions): Promise<RegisterReport> {
  const { repository, manifests } = ports;
  // Before the last manifest is read: its commit would not resolve in a shallow clone, which
  // would otherwise be reported as a rewritten history.
  refuseShallowClone(repository, 'and registration re-verifies the whole first-parent history since the last manifest');
  const previous = (await readPublishedManifest(manifests))?.manifest;

  // Re-verify against what was registered last, as the pull-request check did against its base.
  const base = previous ? { ref: `manifest serial ${previous.serial}`, commit: previous.sourceCommit } : { ref: 'an empty catalog', commit: EMPTY_TREE };
  if (previous && !repository.resolveCommit(previous.sourceCommit)) {
    throw new SchemaflowError('HISTORY_REWRITTEN', `${manifests.location}/${LATEST} was built from ${previous.sourceCommit.slice(0, 12)}, which is not in this repository's history: the default branch was rewritten, or that commit was not fetched (run git fetch origin), or another repository published there (npm run demo registers its own catalog repository into the default location, file://./.schemaflow/manifests: give this one another --manifest-url)`);
  }
  const head = repository.resolveCommit('HEAD');
  if (previous && head && previous.sourceCommit !== head && !repository.isAncestor(previous.sourceCommit, head)) {
    if (repository.isAncestor(head, previous.sourceCommit)) {
      return { manifest: previous, newVersions: [], topics: { actions: [], warnings: [], drift: [], live: false }, publish: { status: 'superseded', by: previous.sourceCommit, serial: previous.serial }, previousSerial: previous.serial, changes: [] };
    }
    throw new SchemaflowError('HISTORY_REWRITTEN', `HEAD does not descend from ${previous.sourceCommit.slice(0, 12)}, the commit of the last manifest: the default branch's history was rewritten`);
  }
  const check = checkCatalog(repository, { catalogDir: options.catalogDir, baseCandidates: [], base });
  const errors = judgedAsLanded(repository, check, { catalogDir: options.catalogDir, base, head: head ?? 'HEAD' });
  if (errors.length > 0) {
    throw new RegistrationRefused(`registration refused: ${errors.length} error(s) against ${base.ref} (a new version's also against the rules its pull request was judged by); nothing was created or published:\n${errors.map((finding) => `  ${finding.file}:${finding.line}:${finding.col} ${finding.code} ${finding.message}`).join('\n')}`, errors);
  }

  const { manifest, bytes } = buildCatalogManifest(repository, { catalogDir: options.catalogDir, ...(options.environment ? { environment: options.environment } : {}), ...(previous ? { previous } : {}) });
  const known = new Set(previous?.subjects.flatMap((subject) => subject.versions.map((version) => `${subject.subject}@${version.version}`)) ?? []);
  const newVersions = manifest.subjects.flatMap((subject) => subject.versions.filter((version) => !known.has(`${subject.subject}@${version.version}`)).map((version) => ({ subject: subject.subject, version: version.version, id: version.id })));

  const desired = manifest.subjects.map((subject) => ({ topic: subject.topic, settings: subject.topicConfig, status: subject.status }));
  let topics: RegisterReport['topics'];
  if (ports.topics) {
    const existing = await ports.topics.describe(desired.map((topic) => topic.topic));
    const plan = planTopics(desired, existing, { reconcile: options.reconcile, brokerCount: await ports.topics.brokerCount() });
    if (!options.dryRun) await ports.topics.apply(plan.actions);
    topics = { ...plan, live: true };
  } else {
    topics = { ...planTopics(desired, undefined), live: false };
  }

  const publish = options.dryRun ? ({ status: 'dry-run' } as const) : await publishManifest(manifests, repository, manifest, bytes);
  return { manifest, newVersions, topics, publish, previousSerial: previous?.serial, changes: diffManifests(previous, manifest) };
}

/**
 * The errors that refuse registration. The check judges everything new since the last manifest
 * by the rules of its commit; a new version it refuses is judged again by the rules its pull
 * request was judged by, those of the commit before the one that landed it, and stands when it
 * passes them. Otherwise a rule change that has no manifest of its own (an override merged just
 * before the version that needs it, whose registration failed or was cancelled by a newer push)
 * would refuse the version, and with it every later registration. Other errors (immutability,
 * files outside a new version) stand as found.
 */
function judgedAsLanded(repository: Repository, check: CheckReport, context: { catalogDir: string; base: { ref: string; commit: string }; head: string }): Finding[] {
  const errors = check.findings.filter((finding) => finding.severity === 'error');
  const newVersionFiles = new Set(check.subjects.flatMap((subject) => subject.newVersions.map((version) => `${context.catalogDir}/${subject.team}/${subject.name}/${version}.json`)));
  const refused = errors.filter((finding) => newVersionFiles.has(finding.file));
  if (refused.length === 0) return errors;
  // The commit that last added each refused version file, and the rules before it.
  const landed = new Map<string, string>();
  for (const { commit, changes } of repository.firstParentHistory(context.head, context.catalogDir)) {
    for (const change of changes) if (change.status === 'added' && roleOf(change.path.slice(context.catalogDir.length + 1)).role === 'version') landed.set(change.path, commit);
  }
  const rulesOf = new Map<string, string>();
  for (const finding of refused) {
    const commit = landed.get(finding.file);
    const before = commit ? (repository.resolveCommit(`${commit}^1`) ?? EMPTY_TREE) : undefined;
    if (before !== undefined && before !== context.base.commit) rulesOf.set(finding.file, before);
  }
  const verdicts = new Map<string, Set<string>>();
  for (const commit of new Set(rulesOf.values())) {
    const again = checkCatalog(repository, { catalogDir: context.catalogDir, baseCandidates: [], base: context.base, rules: { ref: 'the rules its pull request was judged by', commit } });
    verdicts.set(commit, new Set(again.findings.filter((finding) => finding.severity === 'error').map(errorKey)));
  }
  return errors.filter((finding) => {
    const commit = rulesOf.get(finding.file);
    return commit === undefined || (verdicts.get(commit)?.has(errorKey(finding)) ?? true);
  });
}

const errorKey = (finding: Finding): string => `${finding.code} ${finding.file} ${finding.pointer}`;
