import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG_SETTINGS } from '../../../src/catalog/config-files.js';
import { compareFindings, type Finding } from '../../../src/domain/finding.js';
import { compareText } from '../../../src/domain/text-order.js';
import { buildManifest } from '../../../src/manifest/build.js';
import { assignIds } from '../../../src/manifest/ids.js';
import { planTopics } from '../../../src/topics/plan.js';

/**
 * Regression: IDs, the manifest, topic plans and reports were ordered with localeCompare, whose
 * order depends on the process locale (under LANG=da_DK.UTF-8, `aa` sorts after `b`), so one
 * commit could get different IDs on two machines. The order is UTF-16 code units everywhere.
 * `a` and `B` tell the two apart in any locale: ICU collation puts `a` first, code units `B`.
 */
describe('orders that reach IDs, manifests, plans and reports do not depend on the locale', () => {
  it('compareText orders by UTF-16 code unit', () => {
    expect(['a', 'B', 'aa', 'b', 'A', ''].sort(compareText)).toEqual(['', 'A', 'B', 'a', 'aa', 'b']);
    expect(compareText('x', 'x')).toBe(0);
  });

  it('assignIds: within a commit by subject name in code-unit order', () => {
    const { registrations } = assignIds([{ commit: 'c1', changes: [{ path: 'catalog/a/one/1.json', status: 'added' }, { path: 'catalog/B/one/1.json', status: 'added' }] }], 'catalog');
    expect(registrations.map((registration) => `${registration.subject}=${registration.id}`)).toEqual(['B-one=1', 'a-one=2']);
  });

  it('buildManifest: subjects in code-unit order', () => {
    const settings = { description: 'd', owners: ['@acme/x'], status: 'active' as const, pii: [] };
    const manifest = buildManifest({ sourceCommit: 'c1', serial: 1, environment: undefined, catalog: DEFAULT_CATALOG_SETTINGS, subjects: [{ team: 'a', name: 'one', settings, versions: [] }, { team: 'B', name: 'one', settings, versions: [] }] });
    expect(manifest.subjects.map((subject) => subject.subject)).toEqual(['B-one', 'a-one']);
  });

  it('planTopics: topics in code-unit order', () => {
    const plan = planTopics([{ topic: 'a-one', settings: {}, status: 'active' }, { topic: 'B-one', settings: {}, status: 'active' }], undefined);
    expect(plan.actions.map((action) => action.topic)).toEqual(['B-one', 'a-one']);
  });

  it('compareFindings: files in code-unit order, then codes', () => {
    const finding = (file: string, code: string): Finding => ({ code, severity: 'error', file, line: 1, col: 1, pointer: '', message: 'm', params: {} });
    const sorted = [finding('catalog/a/x/1.json', 'B'), finding('catalog/B/x/1.json', 'b'), finding('catalog/B/x/1.json', 'a'), finding('catalog/B/x/1.json', 'B')].sort(compareFindings);
    expect(sorted.map((item) => `${item.file} ${item.code}`)).toEqual(['catalog/B/x/1.json B', 'catalog/B/x/1.json a', 'catalog/B/x/1.json b', 'catalog/a/x/1.json B']);
  });
});
