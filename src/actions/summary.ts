import * as core from '@actions/core';
import { largestFitting } from '../domain/halving.js';
import { SUMMARY_BUDGET } from '../usecases/review.js';

/** A job summary: a heading, a line of text, a table and a list (problems, actions). */
export interface JobSummary {
  readonly heading: string;
  readonly text: string;
  readonly header: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
  readonly list: readonly string[];
  /** What the rows and list items are, for the line saying how many were left out. */
  readonly what: string;
}

/**
 * A job summary of `count` rows within GitHub's 1 MiB a step (over it GitHub drops the whole
 * summary): `render(keep)` gives the summary with its first `keep` rows, saying how many it
 * leaves out; the most rows that fit are kept (largestFitting). Past zero rows, the text ends at
 * the budget's last line break. With the text, how many rows it kept.
 */
export function fitRows(count: number, render: (keep: number) => string, budget = SUMMARY_BUDGET): { text: string; kept: number } {
  const size = (text: string): number => Buffer.byteLength(text, 'utf8');
  const whole = render(count);
  if (size(whole) <= budget) return { text: whole, kept: count };
  const kept = largestFitting(0, count - 1, (keep) => size(render(keep)) <= budget);
  const text = render(kept);
  if (size(text) <= budget) return { text, kept };
  const head = Buffer.from(text, 'utf8').subarray(0, budget).toString('utf8');
  return { text: head.slice(0, head.lastIndexOf('\n') + 1), kept: 0 };
}

/**
 * Writes the job summary, cut to GitHub's 1 MiB a step when thousands of subjects or problems
 * would pass it (the first rows and items kept, and a line saying how many more); the step's log
 * then has every row and item.
 */
export async function writeJobSummary(summary: JobSummary, budget = SUMMARY_BUDGET): Promise<void> {
  const count = Math.max(summary.rows.length, summary.list.length);
  const render = (keep: number): string => {
    const cut = keep < count ? [`…and ${count - keep} more ${summary.what}, left out to stay under GitHub's 1 MiB limit for a job summary: the step’s log lists every one`] : [];
    const text = core.summary
      .emptyBuffer()
      .addHeading(summary.heading, 2)
      .addRaw(summary.text, true)
      .addTable([summary.header.map((data) => ({ data, header: true })), ...summary.rows.slice(0, keep).map((row) => [...row])])
      .addList([...summary.list.slice(0, keep), ...cut])
      .stringify();
    core.summary.emptyBuffer();
    return text;
  };
  const fitted = fitRows(count, render, budget);
  if (fitted.kept < count) for (const line of [summary.header, ...summary.rows].map((row) => row.join(' | ')).concat(summary.list)) core.info(line);
  await core.summary.addRaw(fitted.text).write();
}
