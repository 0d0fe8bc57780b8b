import type { Admin } from 'kafkajs';
import { RUN_GROUP_PREFIX } from '../../domain/names.js';

/** What removing the leftover read groups did: the groups deleted, and what could not be (warnings). */
export interface LeftoverGroups {
  readonly removed: readonly string[];
  readonly problems: readonly string[];
}

/**
 * Per-group answers of DeleteGroups that are no problem: NON_EMPTY_GROUP, a run joined the group
 * since it was described (the broker refuses to delete a group with members); GROUP_ID_NOT_FOUND,
 * another run removed it first.
 */
const HARMLESS = new Set(['NON_EMPTY_GROUP', 'GROUP_ID_NOT_FOUND']);

/** A group's DeleteGroups answer as kafkajs's KafkaJSDeleteGroupsError lists it. */
interface GroupAnswer {
  readonly groupId: string;
  readonly errorCode?: number;
  readonly error?: { readonly type?: string; readonly message?: string };
}

/**
 * Deletes the read groups of runs that died before deleting their own (SIGKILL, a runner
 * timeout): every group named `schemaflow-flow-run-…` with no member (Empty or Dead). A run
 * reading has members, so its group is left alone. A run still joining its group may show it
 * Empty for a moment (KIP-394: the first JoinGroup creates the group with a pending member);
 * deleting it then costs that run a rejoin (kafkajs answers UNKNOWN_MEMBER_ID by joining again),
 * never a record: the flow seeks every partition to the lake's state on each join. Other groups,
 * the stable `schemaflow-flow` among them, are never touched.
 */
export async function removeLeftoverGroups(admin: Admin): Promise<LeftoverGroups> {
  const named = (await admin.listGroups()).groups.map((group) => group.groupId).filter((groupId) => groupId.startsWith(RUN_GROUP_PREFIX));
  if (named.length === 0) return { removed: [], problems: [] };
  const { groups } = await admin.describeGroups(named);
  const idle = groups.filter((group) => (group.state === 'Empty' || group.state === 'Dead') && group.members.length === 0).map((group) => group.groupId);
  if (idle.length === 0) return { removed: [], problems: [] };
  try {
    await admin.deleteGroups(idle);
    return { removed: idle, problems: [] };
  } catch (error) {
    // kafkajs deletes what it can and throws, listing the groups the broker refused.
    const refused = (error as { groups?: unknown }).groups;
    if (!Array.isArray(refused)) throw error;
    return sortAnswers(idle, refused as GroupAnswer[]);
  }
}

/** The groups deleted after all, and a problem for each refusal that is not harmless. */
function sortAnswers(asked: readonly string[], refused: readonly GroupAnswer[]): LeftoverGroups {
  const kept = new Set(refused.map((answer) => answer.groupId));
  const problems = refused.filter((answer) => !HARMLESS.has(answer.error?.type ?? '')).map((answer) => `cannot delete consumer group ${answer.groupId}: ${answer.error?.message ?? `error code ${String(answer.errorCode)}`}`);
  return { removed: asked.filter((groupId) => !kept.has(groupId)), problems };
}
