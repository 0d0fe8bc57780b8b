import { readSubjectSettings } from '../catalog/config-files.js';
import { parseJsonDocument, parseYamlDocument } from '../catalog/documents.js';
import { isSchemaObject } from '../catalog/schema-walk.js';
import { compareText } from '../domain/text-order.js';
import { summarizeChange } from '../compat/summary.js';
import type { SchemaNode } from '../compat/model.js';
import { topicSettingsFor } from '../manifest/build.js';
import type { Manifest } from '../manifest/types.js';
import type { FileTree, Repository } from '../ports.js';
import { configsOf, planTopics, type DesiredTopic, type ExistingTopic } from '../topics/plan.js';
import { buildCatalogManifest } from './build-manifest.js';
import type { CheckReport } from './check-catalog.js';
import type { ProvisionalPlan } from './review.js';

/**
 * What a reviewer wants next to the findings: for each new version, what changed against the
 * version before it, and what merging would do now (IDs, topics), computed from git alone and
 * so provisional. A plan that cannot be built (the change has errors) is left out.
 */
export function prChanges(repository: Repository, report: CheckReport): { changes: Map<string, string[]>; plan?: ProvisionalPlan } {
  const tree = report.head ? repository.treeAt(report.head.commit, report.head.ref) : repository.workingTree();
  const dirOf = (subject: CheckReport['subjects'][number]): string => `${report.catalogDir}/${subject.team}/${subject.name}`;
  // Every version summarized, and the one before each, in one read (one git process for a commit).
  const files = tree.readMany(report.subjects.flatMap((subject) => subject.newVersions.flatMap((version) => [`${dirOf(subject)}/${version}.json`, ...(version > 1 ? [`${dirOf(subject)}/${version - 1}.json`] : [])])));
  // Valid JSON that is no schema (null, 5, "x", []) is a finding (SCHEMA_INVALID), not a node:
  // the summary must not walk it.
  const nodeOf = (path: string): SchemaNode | 'not-a-schema' | undefined => {
    const bytes = files.get(path);
    const parsed = bytes ? parseJsonDocument(path, bytes) : undefined;
    if (!parsed?.ok) return undefined;
    const value = parsed.document.value;
    if (typeof value !== 'boolean' && !isSchemaObject(value)) return 'not-a-schema';
    return { document: { label: path, root: value, locate: (pointer) => parsed.document.locate(pointer) }, pointer: '', schema: value };
  };
  const changes = new Map<string, string[]>();
  for (const subject of report.subjects) {
    const lines: string[] = [];
    for (const version of subject.newVersions) {
      const dir = dirOf(subject);
      const next = nodeOf(`${dir}/${version}.json`);
      const previous = version > 1 ? nodeOf(`${dir}/${version - 1}.json`) : undefined;
      if (!next) continue;
      if (next === 'not-a-schema') lines.push(`version ${version}: not a JSON Schema (see the findings); no change summary`);
      else if (previous === 'not-a-schema') lines.push(`version ${version}: no change summary (version ${version - 1} is not a JSON Schema)`);
      else if (version === 1) lines.push(`version ${version}: first version`);
      else if (!previous) lines.push(`version ${version}: no change summary (${files.get(`${dir}/${version - 1}.json`) ? `version ${version - 1} is not valid JSON` : `there is no version ${version - 1}`})`);
      else lines.push(...summarizeChange(previous, next).map((line) => `version ${version}: ${line}`));
    }
    changes.set(subject.subject, lines);
  }
  // IDs as if merged now: after every ID the base branch has, in the order a merge commit lands
  // them (by subject, then version) — whatever the pull request's own commits look like.
  let plan: ProvisionalPlan | undefined;
  if (!report.findings.some((finding) => finding.severity === 'error')) {
    let next = 1;
    let baseManifest: Manifest | undefined;
    try {
      // The ID after every ID the base branch's history gave, a version's deleted since included:
      // registration never gives one twice, so the highest ID in the manifest is not the last.
      ({ manifest: baseManifest, nextId: next } = buildCatalogManifest(repository, { catalogDir: report.catalogDir, commit: report.base.commit }));
    } catch {
      next = 1; // the base branch has no registrable catalog yet
    }
    const versions = report.subjects.flatMap((subject) => subject.newVersions.map((version) => ({ subject: subject.subject, version }))).sort((a, b) => compareText(a.subject, b.subject) || a.version - b.version);
    plan = {
      newVersions: versions.map((entry, index) => ({ ...entry, id: next + index })),
      topics: topicChanges(tree, report, baseManifest),
    };
  }
  return { changes, ...(plan ? { plan } : {}) };
}

/**
 * Topics to create or change, from the same pure planner registration uses, with the base
 * branch's manifest standing in for the cluster (a pull request has no access to it).
 */
function topicChanges(tree: FileTree, report: CheckReport, base: Manifest | undefined): string[] {
  const existing = new Map<string, ExistingTopic>(
    (base?.subjects ?? []).map((subject) => [subject.topic, { topic: subject.topic, partitions: subject.topicConfig.partitions ?? 1, replicationFactor: subject.topicConfig.replicationFactor ?? 1, configs: configsOf(subject.topicConfig) }]),
  );
  const desired: DesiredTopic[] = [];
  for (const subject of report.subjects) {
    const file = `${report.catalogDir}/${subject.team}/${subject.name}/subject.yaml`;
    const bytes = tree.read(file);
    const parsed = bytes ? parseYamlDocument(file, bytes) : undefined;
    const settings = parsed?.ok ? readSubjectSettings(parsed.document).settings : undefined;
    if (!settings) continue;
    const topicConfig = topicSettingsFor(report.settings, settings, undefined);
    const current = existing.get(subject.subject);
    const before = base?.subjects.find((entry) => entry.topic === subject.subject)?.topicConfig;
    desired.push({ topic: subject.subject, status: settings.status, settings: { ...topicConfig, partitions: topicConfig.partitions ?? current?.partitions ?? 1, replicationFactor: topicConfig.replicationFactor ?? current?.replicationFactor ?? 1 }, ...(before ? { previous: before } : {}) });
  }
  return planTopics(desired, existing).actions.map((action) =>
    action.kind === 'create'
      ? `create topic ${action.topic}`
      : action.kind === 'alter-configs'
        ? `change topic ${action.topic}: ${action.changes.map((change) => `${change.key} ${change.from ?? '(unset)'} → ${change.to ?? '(unset)'}`).join(', ')}`
        : `grow ${action.topic} to ${action.to} partitions (per-key ordering breaks across the change)`,
  );
}
