import type { TopicSettings } from '../catalog/config-files.js';
import { compareText } from '../domain/text-order.js';

/** A topic as the catalog wants it. */
export interface DesiredTopic {
  readonly topic: string;
  readonly settings: TopicSettings;
  readonly status: 'active' | 'deprecated' | 'retired';
  /** The file the subject's settings are written in (its subject.yaml), named when a broker refuses them. */
  readonly file?: string;
  /**
   * The settings the last manifest recorded as applied to the topic: a config they hold and the
   * catalog no longer sets was removed from the catalog, a change to apply, not drift.
   */
  readonly previous?: TopicSettings;
}

/** A topic as the cluster has it: only dynamic (topic-level) configs, the ones someone set. */
export interface ExistingTopic {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly configs: Readonly<Record<string, string>>;
}

export type TopicAction =
  | { readonly kind: 'create'; readonly topic: string; readonly partitions: number | undefined; readonly replicationFactor: number | undefined; readonly configs: Readonly<Record<string, string>>; readonly file?: string }
  | { readonly kind: 'alter-configs'; readonly topic: string; readonly changes: ReadonlyArray<{ key: string; from: string | undefined; to: string | undefined }>; readonly configs: Readonly<Record<string, string>>; readonly file?: string }
  | { readonly kind: 'add-partitions'; readonly topic: string; readonly from: number; readonly to: number };

export interface TopicPlan {
  readonly actions: readonly TopicAction[];
  /** Said to the operator, never acted on: shrinking, replication changes, retired topics, drift. */
  readonly warnings: readonly string[];
  /** Dynamic configs the catalog does not explain, per topic. */
  readonly drift: ReadonlyArray<{ topic: string; key: string; value: string }>;
}

/** The Kafka topic configs the catalog manages, by their Kafka names. */
export function configsOf(settings: TopicSettings): Record<string, string> {
  const configs: Record<string, string> = { ...(settings.configs ?? {}) };
  if (settings.retentionMs !== undefined) configs['retention.ms'] = String(settings.retentionMs);
  if (settings.cleanupPolicy !== undefined) configs['cleanup.policy'] = settings.cleanupPolicy;
  return Object.fromEntries(Object.keys(configs).sort().map((key) => [key, configs[key] as string]));
}

/**
 * Plans topics (DESIGN.md §4), pure: create what is missing; apply config changes (the full
 * desired set, because AlterConfigs replaces a topic's whole dynamic config — drift keys are
 * kept unless `reconcile`), where a config the previous settings held and the catalog dropped
 * is removed (back to the broker's default) and is not drift; grow partitions (warning that per-key ordering breaks), never
 * shrink; never delete (a retired subject's topic is reported for manual deletion). Without live
 * state (a pull request has no secrets) every topic is planned as a creation.
 */
export function planTopics(desired: readonly DesiredTopic[], existing: ReadonlyMap<string, ExistingTopic> | undefined, options: { reconcile?: boolean; brokerCount?: number } = {}): TopicPlan {
  const actions: TopicAction[] = [];
  const warnings: string[] = [];
  const drift: Array<{ topic: string; key: string; value: string }> = [];
  for (const topic of [...desired].sort((a, b) => compareText(a.topic, b.topic))) {
    const current = existing?.get(topic.topic);
    const wanted = configsOf(topic.settings);
    const file = topic.file !== undefined ? { file: topic.file } : {};
    if (topic.status === 'retired') {
      if (current) warnings.push(`${topic.topic}: the subject is retired; the flow archives it until it is empty, then delete the topic manually (registration never deletes topics)`);
      continue;
    }
    let replicationFactor = topic.settings.replicationFactor;
    if (replicationFactor !== undefined && options.brokerCount !== undefined && replicationFactor > options.brokerCount) {
      warnings.push(`${topic.topic}: replicationFactor ${replicationFactor} is more than the ${options.brokerCount} broker(s) of this cluster; using ${options.brokerCount}`);
      replicationFactor = options.brokerCount;
    }
    if (!current) {
      actions.push({ kind: 'create', topic: topic.topic, partitions: topic.settings.partitions, replicationFactor, configs: wanted, ...file });
      continue;
    }
    // Configs the catalog set before and no longer does are a catalog change; only the others,
    // never in the catalog, are drift.
    const dropped = new Set(Object.keys(topic.previous ? configsOf(topic.previous) : {}).filter((key) => !(key in wanted)));
    const unexplained = Object.keys(current.configs).filter((key) => !(key in wanted) && !dropped.has(key)).sort();
    for (const key of unexplained) drift.push({ topic: topic.topic, key, value: current.configs[key] as string });
    const changes = [...new Set([...Object.keys(wanted), ...dropped, ...(options.reconcile ? unexplained : [])])]
      .sort()
      .filter((key) => !sameConfigValue(current.configs[key], wanted[key]))
      .map((key) => ({ key, from: current.configs[key], to: wanted[key] }));
    if (changes.length > 0) {
      const kept = options.reconcile ? {} : Object.fromEntries(unexplained.map((key) => [key, current.configs[key] as string]));
      actions.push({ kind: 'alter-configs', topic: topic.topic, changes, configs: { ...kept, ...wanted }, ...file });
    }
    if (unexplained.length > 0 && !options.reconcile) {
      warnings.push(`${topic.topic}: drift — ${unexplained.map((key) => `${key}=${current.configs[key] ?? ''}`).join(', ')} set on the cluster but not in the catalog; kept (run register --reconcile to remove)`);
    }
    const partitions = topic.settings.partitions;
    if (partitions !== undefined && partitions > current.partitions) {
      actions.push({ kind: 'add-partitions', topic: topic.topic, from: current.partitions, to: partitions });
      warnings.push(`${topic.topic}: partitions grow ${current.partitions} → ${partitions}; keys move to other partitions, so per-key ordering breaks across the change`);
    } else if (partitions !== undefined && partitions < current.partitions) {
      warnings.push(`${topic.topic}: the catalog asks for ${partitions} partitions but the topic has ${current.partitions}; partitions never shrink, so nothing is changed`);
    }
    if (replicationFactor !== undefined && replicationFactor !== current.replicationFactor) {
      warnings.push(`${topic.topic}: replicationFactor ${current.replicationFactor} → ${replicationFactor} needs a partition reassignment, which registration does not do`);
    }
  }
  return { actions, warnings, drift };
}

/**
 * Whether a config value Kafka describes is the catalog's value as Kafka stores it. A broker
 * trims a value, writes a boolean in lower case, a number without leading zeros or plus sign
 * (`0.50` as `0.5`), and a list without the spaces after its commas: `TRUE` is described as
 * `true`, and comparing the text would alter such a topic on every registration.
 */
function sameConfigValue(live: string | undefined, wanted: string | undefined): boolean {
  return live === undefined || wanted === undefined ? live === wanted : storedForm(live) === storedForm(wanted);
}

function storedForm(value: string): string {
  const trimmed = value.trim();
  if (/^(?:true|false)$/i.test(trimmed)) return trimmed.toLowerCase();
  if (/^[+-]?\d+$/.test(trimmed)) return BigInt(trimmed).toString();
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(trimmed)) return String(Number(trimmed));
  return trimmed.split(',').map((part) => part.trim()).join(',');
}

/** What registration needs from the cluster (implemented over kafkajs in adapters/kafka). */
export interface TopicAdmin {
  brokerCount(): Promise<number>;
  /** The named topics that exist, with partitions, replication and dynamic configs. */
  describe(topics: readonly string[]): Promise<Map<string, ExistingTopic>>;
  apply(actions: readonly TopicAction[]): Promise<void>;
}
