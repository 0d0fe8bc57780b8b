/**
 * Naming rules shared by every part (DESIGN.md §2): subject = `<team>-<name>` = Kafka topic.
 */

/** `team`: a lowercase letter, then lowercase letters and digits. */
export const TEAM_PATTERN = /^[a-z][a-z0-9]*$/;

/** `name`: two or more lowercase letters, digits and inner dashes; starts with a letter, ends with a letter or digit. */
export const NAME_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$/;

/** The consumer group the flow commits a lake's positions to unless `positionsGroup` names another; it never has members. */
export const FLOW_GROUP = 'schemaflow-flow';

/** The prefix of the flow's per-run read groups: `schemaflow-flow-run-<runId>`, a worker's `…-w<n>`; every run deletes those left without members. */
export const RUN_GROUP_PREFIX = `${FLOW_GROUP}-run-`;

/** Kafka's own limit on topic names. */
export const MAX_TOPIC_LENGTH = 249;

/** A version file: a positive integer without leading zeros, `.json`. */
export const VERSION_FILE_PATTERN = /^([1-9][0-9]{0,8})\.json$/;

/** The subject (and topic) of a team and name. */
export function subjectOf(team: string, name: string): string {
  return `${team}-${name}`;
}

/** The version number of a version file name, or undefined when the name is not one. */
export function versionOfFile(fileName: string): number | undefined {
  const match = VERSION_FILE_PATTERN.exec(fileName);
  return match ? Number(match[1]) : undefined;
}
