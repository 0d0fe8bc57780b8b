import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { removeLeftoverGroups } from '../../../src/adapters/kafka/leftover-groups.js';

/* Which groups go, and how DeleteGroups refusals are read; the integration test (flow-groups) runs it on the broker. */

interface Group {
  readonly groupId: string;
  readonly state: string;
  readonly members: readonly unknown[];
}

/** An admin over `groups` that records what it is asked to delete and answers with `refuse` (kafkajs's KafkaJSDeleteGroupsError shape). */
function admin(groups: readonly Group[], refuse: Array<{ groupId: string; errorCode: number; error: { type: string; message: string } }> = []): { admin: Admin; deleted: string[][] } {
  const deleted: string[][] = [];
  const fake = {
    listGroups: () => Promise.resolve({ groups: groups.map((group) => ({ groupId: group.groupId, protocolType: 'consumer' })) }),
    describeGroups: (ids: string[]) => Promise.resolve({ groups: groups.filter((group) => ids.includes(group.groupId)) }),
    deleteGroups: (ids: string[]) => {
      deleted.push(ids);
      return refuse.length > 0 ? Promise.reject(Object.assign(new Error('Error in DeleteGroups'), { groups: refuse })) : Promise.resolve(ids.map((groupId) => ({ groupId, errorCode: 0 })));
    },
  };
  return { admin: fake as unknown as Admin, deleted };
}

describe('removeLeftoverGroups', () => {
  it('deletes only the per-run read groups without members, never the stable group or another', async () => {
    const { admin: kafka, deleted } = admin([
      { groupId: 'schemaflow-flow-run-20260101T000000Z-aaaaaa', state: 'Empty', members: [] },
      { groupId: 'schemaflow-flow-run-20260101T000000Z-bbbbbb-w1', state: 'Dead', members: [] },
      { groupId: 'schemaflow-flow-run-20260101T000000Z-cccccc', state: 'Stable', members: [{}] },
      { groupId: 'schemaflow-flow-run-20260101T000000Z-dddddd', state: 'PreparingRebalance', members: [{}] },
      { groupId: 'schemaflow-flow', state: 'Empty', members: [] },
      { groupId: 'schemaflow-flow-runner', state: 'Empty', members: [] },
      { groupId: 'billing', state: 'Empty', members: [] },
    ]);
    expect(await removeLeftoverGroups(kafka)).toEqual({ removed: ['schemaflow-flow-run-20260101T000000Z-aaaaaa', 'schemaflow-flow-run-20260101T000000Z-bbbbbb-w1'], problems: [] });
    expect(deleted).toEqual([['schemaflow-flow-run-20260101T000000Z-aaaaaa', 'schemaflow-flow-run-20260101T000000Z-bbbbbb-w1']]);
  });

  it('asks nothing to be deleted when no group is left over', async () => {
    const { admin: kafka, deleted } = admin([{ groupId: 'schemaflow-flow-run-x', state: 'Stable', members: [{}] }]);
    expect(await removeLeftoverGroups(kafka)).toEqual({ removed: [], problems: [] });
    expect(deleted).toEqual([]);
  });

  it('takes a group a run joined since (NON_EMPTY_GROUP) or another run removed (GROUP_ID_NOT_FOUND) in its stride, and reports any other refusal', async () => {
    const ids = ['schemaflow-flow-run-a', 'schemaflow-flow-run-b', 'schemaflow-flow-run-c', 'schemaflow-flow-run-d'];
    const { admin: kafka } = admin(
      ids.map((groupId) => ({ groupId, state: 'Empty', members: [] })),
      [
        { groupId: 'schemaflow-flow-run-b', errorCode: 68, error: { type: 'NON_EMPTY_GROUP', message: 'The group is not empty' } },
        { groupId: 'schemaflow-flow-run-c', errorCode: 69, error: { type: 'GROUP_ID_NOT_FOUND', message: 'The group id does not exist' } },
        { groupId: 'schemaflow-flow-run-d', errorCode: 30, error: { type: 'GROUP_AUTHORIZATION_FAILED', message: 'Not authorized to access group' } },
      ],
    );
    expect(await removeLeftoverGroups(kafka)).toEqual({ removed: ['schemaflow-flow-run-a'], problems: ['cannot delete consumer group schemaflow-flow-run-d: Not authorized to access group'] });
  });
});
