import { SchemaflowError, UsageError } from '../domain/errors.js';
import { findingLine, type Finding } from '../domain/finding.js';
import { diffManifests } from '../manifest/diff.js';
import type { Manifest } from '../manifest/types.js';
import type { ObjectStore, Repository, UntrustedPatterns } from '../ports.js';
import { planTopics, type TopicAdmin, type TopicPlan } from '../topics/plan.js';
import { buildCatalogManifest } from './build-manifest.js';
import { EMPTY_TREE, checkCatalog, type CheckReport } from './check-catalog.js';
import { refuseShallowClone } from './full-history.js';
import { publishManifest, readPublishedManifest, refuseOtherEnvironment, type PublishOutcome } from './publish-manifest.js';

export interface RegisterOptions {
  readonly catalogDir: string;
  readonly environment?: string;
  /** Plan only: nothing is created, altered or published. */
  readonly dryRun: boolean;
  /** Also revert topic configs the catalog does not explain (drift). */
  readonly reconcile: boolean;
  /**
   * The default branch (a ref such as `origin/main`): a registration that publishes refuses a
   * HEAD that is not on it. Undefined: no default branch is known, nothing is compared.
   */
  readonly defaultBranch?: string;
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

/**
 * Registration publishes commits of the default branch only: IDs are assigned along its
 * first-parent history, so a manifest of a branch's commit would hand out IDs that the default
 * branch, once it moves on without that commit, assigns again, and every later registration
 * would stop as HISTORY_REWRITTEN. HEAD may be behind the tip (a newer push landed meanwhile).
 */
function refuseOffDefaultBranch(repository: Repository, ref: string): void {
  const tip = repository.resolveCommit(ref);
  if (!tip) {
    throw new UsageError(`${ref}, the default branch, does not resolve in this clone: registration compares HEAD with it, as it publishes commits of the default branch only. Fetch it (actions/checkout with fetch-depth: 0 does; else git fetch origin).`, { code: 'DEFAULT_BRANCH_UNKNOWN' });
  }
  const head = repository.resolveCommit('HEAD');
  if (head && !repository.isAncestor(head, tip)) {
    throw new UsageError(`HEAD (${head.slice(0, 12)}) is not on ${ref} (${tip.slice(0, 12)}): registration publishes commits of the default branch only, as the IDs it assigns follow that branch's history. Merge the change (the push to the default branch registers it), or push commits made here first; \`schemaflow plan\` shows what a branch would register, changing nothing.`, { code: 'NOT_ON_DEFAULT_BRANCH' });
  }
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
export async function registerCatalog(ports: { repository: Repository; manifests: ObjectStore; topics?: TopicAdmin; untrustedPatterns: UntrustedPatterns }, options: RegisterOptions): Promise<RegisterReport> {
  const { repository, manifests } = ports;
  // Before the last manifest is read: its commit would not resolve in a shallow clone, which
  // would otherwise be reported as a rewritten history.
  refuseShallowClone(repository, 'and registration re-verifies the whole first-parent history since the last manifest');
  if (options.defaultBranch !== undefined && !options.dryRun) refuseOffDefaultBranch(repository, options.defaultBranch);
  const previous = (await readPublishedManifest(manifests))?.manifest;
  if (previous) refuseOtherEnvironment(previous, options.environment ?? 'default', manifests.location);

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
    throw new SchemaflowError('HISTORY_REWRITTEN', `HEAD does not descend from ${previous.sourceCommit.slice(0, 12)}, the commit of the last manifest: the default branch's history was rewritten, or that manifest was registered from another branch. If the branch was not rewritten, point ${manifests.location}/${LATEST} back at the newest <serial>.json beside it whose sourceCommit is on this branch (git merge-base --is-ancestor <commit> HEAD), and tell producers that loaded the other manifest: its new IDs are assigned again`);
  }
  // The check and the manifest read HEAD's commit: uncommitted changes would be neither
  // checked nor registered, which is not what someone running it with them means.
  const uncommitted = head ? repository.changedPaths(head, options.catalogDir.replace(/\/+$/, '')) : [];
  if (uncommitted.length > 0) {
    const named = uncommitted.slice(0, 5).map((change) => `${change.path} (${change.status})`).join(', ');
    throw new UsageError(`${options.catalogDir.replace(/\/+$/, '')}/ has uncommitted changes: ${named}${uncommitted.length > 5 ? ` and ${uncommitted.length - 5} more` : ''}. Registration checks and registers the catalog as HEAD holds it, so these would be left out: commit or stash them (git stash -u), then run it again.`, { code: 'UNCOMMITTED_CHANGES' });
  }
  const check = checkCatalog(repository, { catalogDir: options.catalogDir, baseCandidates: [], base, untrustedPatterns: ports.untrustedPatterns, ...(head ? { head: { ref: 'HEAD', commit: head } } : {}) });
  const errors = check.findings.filter((finding) => finding.severity === 'error');
  if (errors.length > 0) {
    const hints = landedRulesHints(repository, check, { catalogDir: options.catalogDir, base, head: head ?? 'HEAD', untrustedPatterns: ports.untrustedPatterns });
    throw new RegistrationRefused(`registration refused: ${errors.length} error(s) against ${base.ref}; nothing was created or published:\n${errors.map((finding) => `  ${findingLine(finding, { severity: false })}`).join('\n')}${hints.map((hint) => `\n${hint}`).join('')}`, errors);
  }

  const { manifest, bytes } = buildCatalogManifest(repository, { catalogDir: options.catalogDir, ...(options.environment ? { environment: options.environment } : {}), ...(previous ? { previous } : {}) });
  const known = new Set(previous?.subjects.flatMap((subject) => subject.versions.map((version) => `${subject.subject}@${version.version}`)) ?? []);
  const newVersions = manifest.subjects.flatMap((subject) => subject.versions.filter((version) => !known.has(`${subject.subject}@${version.version}`)).map((version) => ({ subject: subject.subject, version: version.version, id: version.id })));

  let topics: RegisterReport['topics'];
  if (ports.topics) {
    const plan = await planLive(ports.topics, manifest, { reconcile: options.reconcile, catalogDir: options.catalogDir, ...(previous ? { applied: previous } : {}) });
    if (!options.dryRun) await ports.topics.apply(plan.actions);
    topics = { ...plan, live: true };
  } else {
    topics = { ...planTopics(desiredTopics(manifest, options.catalogDir, previous), undefined), live: false };
  }

  const publish = options.dryRun ? ({ status: 'dry-run' } as const) : await publishManifest(manifests, repository, manifest, bytes);
  if (publish.status === 'superseded' && ports.topics && topics.actions.length > 0) {
    // A newer commit registered while this run applied its plan: this run may have written its
    // older settings over the newer ones, so the topics get the winner's settings again.
    const winner = (await readPublishedManifest(manifests))?.manifest;
    if (winner) {
      const restore = await planLive(ports.topics, winner, { reconcile: false, catalogDir: options.catalogDir, applied: manifest });
      await ports.topics.apply(restore.actions);
      topics = { ...topics, warnings: [...topics.warnings, `a newer commit (${winner.sourceCommit.slice(0, 12)}, serial ${winner.serial}) registered while this run applied its topic plan: its topic settings were applied again${restore.actions.length > 0 ? ` (${restore.actions.map((action) => `${action.kind} ${action.topic}`).join(', ')})` : ''}`] };
    }
  }
  return { manifest, newVersions, topics, publish, previousSerial: previous?.serial, changes: diffManifests(previous, manifest) };
}

/**
 * The manifest's topics, each with the subject.yaml its settings are written in and the settings
 * `applied` (the manifest whose settings the topics last got) held: a config dropped since is
 * removed, not drift.
 */
function desiredTopics(manifest: Manifest, catalogDir: string, applied: Manifest | undefined): Parameters<typeof planTopics>[0] {
  const before = new Map(applied?.subjects.map((subject) => [subject.topic, { previous: subject.topicConfig }]));
  return manifest.subjects.map((subject) => ({ topic: subject.topic, settings: subject.topicConfig, status: subject.status, file: `${catalogDir.replace(/\/+$/, '')}/${subject.team}/${subject.name}/subject.yaml`, ...before.get(subject.topic) }));
}

/** The topic plan of a manifest against the live cluster. */
async function planLive(admin: TopicAdmin, manifest: Manifest, options: { reconcile: boolean; catalogDir: string; applied?: Manifest }): Promise<TopicPlan> {
  const desired = desiredTopics(manifest, options.catalogDir, options.applied);
  const existing = await admin.describe(desired.map((topic) => topic.topic));
  return planTopics(desired, existing, { reconcile: options.reconcile, brokerCount: await admin.brokerCount() });
}

/**
 * What to do about new versions the check refused by the rules of the last manifest's commit
 * but that pass the rules they were merged under, those of the commit before the one that
 * landed them: a rule change with no manifest of its own (an override merged just before the
 * version that needs it, whose registration failed or was cancelled by a newer push). They are
 * still refused: git cannot tell such a change from one the same pull request made before its
 * version (a rebase merge), which would let a pull request approve its own exception, so the
 * hint says how to register the rule change first when it was reviewed on its own.
 */
function landedRulesHints(repository: Repository, check: CheckReport, context: { catalogDir: string; base: { ref: string; commit: string }; head: string; untrustedPatterns: UntrustedPatterns }): string[] {
  const newVersionFiles = new Set(check.subjects.flatMap((subject) => subject.newVersions.map((version) => `${context.catalogDir}/${subject.team}/${subject.name}/${version}.json`)));
  const refused = new Set(check.findings.filter((finding) => finding.severity === 'error' && newVersionFiles.has(finding.file)).map((finding) => finding.file));
  if (refused.size === 0) return [];
  // The commit that last added each refused version file.
  const landed = new Map<string, string>();
  for (const { commit, changes } of repository.firstParentHistory(context.head, context.catalogDir)) {
    for (const change of changes) if (change.status === 'added' && refused.has(change.path)) landed.set(change.path, commit);
  }
  const hints: string[] = [];
  const verdicts = new Map<string, ReadonlySet<string>>();
  for (const file of [...refused].sort()) {
    const commit = landed.get(file);
    const before = commit ? (repository.resolveCommit(`${commit}^1`) ?? EMPTY_TREE) : undefined;
    if (!commit || before === undefined || before === context.base.commit) continue;
    let failing = verdicts.get(before);
    if (!failing) {
      const again = checkCatalog(repository, { catalogDir: context.catalogDir, baseCandidates: [], base: context.base, untrustedPatterns: context.untrustedPatterns, ...(check.head ? { head: check.head } : {}), rules: { ref: 'the rules it was merged under', commit: before } });
      failing = new Set(again.findings.filter((finding) => finding.severity === 'error').map((finding) => finding.file));
      verdicts.set(before, failing);
    }
    if (failing.has(file)) continue;
    hints.push(
      `${file} passes the rules it was merged under, those of ${before.slice(0, 12)} (the commit before ${commit.slice(0, 12)}, which added it), and no published manifest covers them yet. ` +
        `If that rule change was reviewed on its own (an override merged before this version, whose registration failed or was cancelled), register it first: check out ${before.slice(0, 12)}, run schemaflow register with this registration's settings, then register this commit again. ` +
        `If the same pull request made it (a rebase merge), the pull request approved its own exception: fix the version in a new commit instead.`,
    );
  }
  return hints;
}
