import { describe, expect, it } from 'vitest';
import { planTopics, type DesiredTopic, type ExistingTopic } from '../../../src/topics/plan.js';

const live = (configs: Record<string, string>): Map<string, ExistingTopic> => new Map([['apps-orders', { topic: 'apps-orders', partitions: 1, replicationFactor: 1, configs }]]);
const desired = (settings: DesiredTopic['settings'], previous?: DesiredTopic['settings']): DesiredTopic[] => [{ topic: 'apps-orders', status: 'active', settings, ...(previous ? { previous } : {}) }];

// Regression: planTopics saw only the catalog and the live topic, so a config the catalog set
// before and then dropped was "drift ... kept" for ever, while the manifest said it was unset.
describe('a topic config dropped from the catalog', () => {
  it('is removed as a catalog change, while a config the catalog never set stays drift', () => {
    const plan = planTopics(desired({ retentionMs: 1000 }, { retentionMs: 1000, configs: { 'max.message.bytes': '2000000' } }), live({ 'retention.ms': '1000', 'max.message.bytes': '2000000', 'segment.ms': '60000' }));
    expect(plan.actions).toEqual([{ kind: 'alter-configs', topic: 'apps-orders', changes: [{ key: 'max.message.bytes', from: '2000000', to: undefined }], configs: { 'segment.ms': '60000', 'retention.ms': '1000' } }]);
    expect(plan.drift).toEqual([{ topic: 'apps-orders', key: 'segment.ms', value: '60000' }]);
    expect(plan.warnings).toEqual(['apps-orders: drift — segment.ms=60000 set on the cluster but not in the catalog; kept (run register --reconcile to remove)']);
  });

  it('is drift without the previous settings, and no change once it is gone from the topic', () => {
    expect(planTopics(desired({}), live({ 'max.message.bytes': '2000000' })).drift).toEqual([{ topic: 'apps-orders', key: 'max.message.bytes', value: '2000000' }]);
    expect(planTopics(desired({}, { configs: { 'max.message.bytes': '2000000' } }), live({}))).toEqual({ actions: [], warnings: [], drift: [] });
    // retentionMs and retention.ms are one setting: the named form dropped is the config dropped.
    expect(planTopics(desired({}, { retentionMs: 1000 }), live({ 'retention.ms': '1000' })).actions).toEqual([{ kind: 'alter-configs', topic: 'apps-orders', changes: [{ key: 'retention.ms', from: '1000', to: undefined }], configs: {} }]);
  });
});
