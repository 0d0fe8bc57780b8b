import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { closestNames } from '../../../src/domain/closest-names.js';
import { describeMatch, searchDocuments, type SearchDocument } from '../../../src/discovery/search.js';

const doc = (subject: string, extra: Partial<SearchDocument> = {}): SearchDocument => ({
  subject,
  topic: subject,
  lakePath: `${subject}/`,
  status: 'active',
  description: '',
  owners: [],
  fields: [],
  ...extra,
});

/** A small catalog where each subject is reachable by one kind of match. */
const DOCUMENTS: readonly SearchDocument[] = [
  doc('apps-users', { description: 'Lifecycle of an application user.', owners: ['@acme/identity'], fields: [{ pointer: '/userId', description: 'Stable id.' }, { pointer: '/email', description: 'Address at sign-up.' }] }),
  doc('apps', { description: 'Application registry.', owners: ['@acme/platform'] }),
  doc('apps-sessions', { description: 'Sign-ins of users.', owners: ['@acme/identity', '@acme/security'], fields: [{ pointer: '/userId', description: 'The user, as in apps-users.' }, { pointer: '/clientIp', description: 'IP address.' }] }),
  doc('payments-refunds', { description: 'Refunds of captured payments.', owners: ['@acme/payments'], fields: [{ pointer: '/amount', description: 'Refunded amount.' }, { pointer: '/amount/currency', description: 'ISO 4217 code.' }] }),
  doc('payments-transactions', { description: 'Card payments, amounts in minor units.', owners: ['@acme/payments'], fields: [{ pointer: '/amount', description: 'Captured amount.' }, { pointer: '/method', description: 'How the customer paid.' }] }),
  doc('billing-invoices', { description: 'Invoices sent to customers.', owners: ['@acme/finance'], fields: [{ pointer: '/lines/*/sku', description: 'Stock keeping unit of the line.' }] }),
  doc('ops-user-audit', { description: 'Admin actions.', owners: ['@acme/ops'], fields: [{ pointer: '/actor', description: 'Who did it.' }] }),
];

/** [query, expected subjects in rank order, where the first word matched in each]. */
const RANKING: ReadonlyArray<readonly [string, readonly string[], readonly string[]]> = [
  // exact subject > subject prefix (ties by name) > substring
  ['apps', ['apps', 'apps-sessions', 'apps-users'], ['subject', 'subject', 'subject']],
  // case-insensitive; apps-sessions mentions apps-users in a field's description
  ['APPS-USERS', ['apps-users', 'apps-sessions'], ['subject', 'field description']],
  // subject substring (ops-user-audit, apps-users) before field names (userId of apps-sessions), by name within a tier
  ['user', ['apps-users', 'ops-user-audit', 'apps-sessions'], ['subject', 'subject', 'field']],
  // field name beats owner and description
  ['amount', ['payments-refunds', 'payments-transactions'], ['field', 'field']],
  ['sku', ['billing-invoices'], ['field']],
  ['security', ['apps-sessions'], ['owner']],
  ['identity', ['apps-sessions', 'apps-users'], ['owner', 'owner']],
  // subject description before nothing; a field's description also counts
  ['captured', ['payments-refunds', 'payments-transactions'], ['description', 'field description']],
  ['4217', ['payments-refunds'], ['field description']],
  // every word must match; the weakest word ranks the subject
  ['payments amount', ['payments-refunds', 'payments-transactions'], ['subject', 'subject']],
  ['identity email', ['apps-users'], ['owner']],
  ['user  ip', ['apps-sessions'], ['field']],
  ['users nothing-like-this', [], []],
  ['', [], []],
  ['   ', [], []],
];

describe('searchDocuments ranks', () => {
  it.each(RANKING)('%j → %j', (query, subjects, where) => {
    const hits = searchDocuments(DOCUMENTS, query);
    expect(hits.map((hit) => hit.subject)).toEqual(subjects);
    expect(hits.map((hit) => hit.matches[0]?.where)).toEqual(where);
  });

  it('ranks by the weakest word, then by the sum of the tiers', () => {
    // "apps" is a prefix of all three; "user" is inside apps-users' name but only a field of apps-sessions.
    const hits = searchDocuments(DOCUMENTS, 'apps user');
    expect(hits.map((hit) => hit.subject)).toEqual(['apps-users', 'apps-sessions']);
    expect(hits[0]?.matches.map((match) => match.tier)).toEqual([1, 2]);
    expect(hits[1]?.matches.map((match) => match.tier)).toEqual([1, 3]);
  });

  it('says where each word matched, with the field, owner or an excerpt', () => {
    const [hit] = searchDocuments(DOCUMENTS, 'sessions ip security');
    expect(hit?.matches).toEqual([
      { word: 'sessions', tier: 2, where: 'subject', detail: 'apps-sessions' },
      { word: 'ip', tier: 3, where: 'field', detail: '/clientIp' },
      { word: 'security', tier: 4, where: 'owner', detail: '@acme/security' },
    ]);
    expect(hit?.matches.map(describeMatch)).toEqual(['subject name', 'field /clientIp', 'owner @acme/security']);
    const [described] = searchDocuments([doc('x-y', { description: `${'a'.repeat(80)} needle ${'b'.repeat(80)}` })], 'needle');
    expect(described?.matches[0]?.detail).toBe(`…${'a'.repeat(29)} needle ${'b'.repeat(29)}…`);
  });

  it('carries topic, lake path and status for each hit, and honours the limit', () => {
    const hits = searchDocuments(DOCUMENTS, 'a', 2);
    expect(hits).toHaveLength(2);
    expect(hits[0]).toMatchObject({ subject: 'apps', topic: 'apps', lakePath: 'apps/', status: 'active' });
  });

  it('matches field names, not whole pointers, and unescapes RFC 6901 tokens', () => {
    const documents = [doc('a-b', { fields: [{ pointer: '/outer/inner', description: '' }, { pointer: '/odd~1name', description: '' }] })];
    expect(searchDocuments(documents, 'outer/inner')).toEqual([]);
    expect(searchDocuments(documents, 'odd/name')[0]?.matches[0]).toMatchObject({ where: 'field', detail: '/odd~1name' });
  });

  it('is self-contained, so the site can ship its source text', () => {
    // Evaluated alone in an empty context: any outside name it used would throw there.
    const shipped = runInNewContext(`(${searchDocuments.toString()})`) as typeof searchDocuments;
    for (const [query] of RANKING) expect(JSON.stringify(shipped(DOCUMENTS, query))).toBe(JSON.stringify(searchDocuments(DOCUMENTS, query)));
    const describeShipped = runInNewContext(`(${describeMatch.toString()})`) as typeof describeMatch;
    expect(searchDocuments(DOCUMENTS, 'ip').flatMap((hit) => hit.matches.map(describeShipped))).toEqual(['field /clientIp']);
  });
});

describe('closestNames', () => {
  const names = DOCUMENTS.map((entry) => entry.subject);
  it.each([
    ['apps-user', ['apps-users', 'apps']],
    ['payments-refund', ['payments-refunds']],
    ['paymnets-transactions', ['payments-transactions']],
    ['sessions', ['apps-sessions']],
    ['zzzzzz', []],
  ])('%j → %j', (given, expected) => {
    expect(closestNames(names, given).slice(0, expected.length)).toEqual(expected);
    if (expected.length === 0) expect(closestNames(names, given)).toEqual([]);
  });
});
