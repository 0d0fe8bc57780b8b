import { accessSync, constants, mkdirSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError, messageOf } from '../domain/errors.js';

/*
 * Where `--out` writes (site, types, manifest build): checked and prepared before anything is
 * written, so a path that cannot be written is a usage error naming the flag and what is in the
 * way (exit 2), never an unexpected error halfway through the writes.
 */

/** The stat of `path`, or undefined when nothing is there (also when a parent is not a directory). */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

function refuse(flag: string, path: string, problem: string, cause?: unknown): never {
  throw new UsageError(`--${flag} ${path}: ${problem}`, { code: 'OUTPUT_UNWRITABLE', ...(cause === undefined ? {} : { cause }) });
}

/** The nearest existing ancestor of `absolute` (itself included), which must be a directory, and the missing ones below it, top first. */
function existingAncestor(absolute: string, flag: string, path: string): { directory: string; missing: string[] } {
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    let stats: Stats | undefined;
    try {
      stats = statOf(current);
    } catch (error) {
      refuse(flag, path, `cannot read ${current}: ${messageOf(error)}`, error);
    }
    if (stats) {
      if (!stats.isDirectory()) refuse(flag, path, `${current} is not a directory`);
      return { directory: current, missing };
    }
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) return { directory: current, missing };
    current = parent;
  }
}

function refuseUnwritable(directory: string, flag: string, path: string): void {
  try {
    accessSync(directory, constants.W_OK);
  } catch (error) {
    refuse(flag, path, `the directory ${directory} is not writable`, error);
  }
}

/**
 * Makes `path` (given as `--<flag> path`) a directory to write into and returns it absolute:
 * creates it and its missing parents one level at a time. Never `mkdir -p`: Node's recursive
 * mkdir loops for ever where mkdir answers ENOENT for a parent that exists (/proc).
 */
export function prepareOutputDirectory(path: string, flag: string): string {
  const absolute = resolve(path);
  const { directory, missing } = existingAncestor(absolute, flag, path);
  if (missing.length === 0) refuseUnwritable(directory, flag, path);
  for (const created of missing) {
    try {
      mkdirSync(created);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && statOf(created)?.isDirectory()) continue;
      refuse(flag, path, `cannot create the directory ${created}: ${messageOf(error)}`, error);
    }
  }
  return absolute;
}

/**
 * Checks that `path` (given as `--<flag> path`) can be written as a file and returns it absolute:
 * it is not a directory, its directory exists (not created: a mistyped path should not grow
 * directories), and it, or its directory when it is new, is writable.
 */
export function prepareOutputFile(path: string, flag: string): string {
  const absolute = resolve(path);
  let stats: Stats | undefined;
  try {
    stats = statOf(absolute);
  } catch (error) {
    refuse(flag, path, `cannot read ${absolute}: ${messageOf(error)}`, error);
  }
  if (stats?.isDirectory()) refuse(flag, path, 'it is a directory; give a file name');
  const parent = dirname(absolute);
  if (existingAncestor(parent, flag, path).missing.length > 0) refuse(flag, path, `the directory ${parent} does not exist; create it first, or write to another file`);
  if (stats) {
    try {
      accessSync(absolute, constants.W_OK);
    } catch (error) {
      refuse(flag, path, `${absolute} is not writable`, error);
    }
  } else refuseUnwritable(parent, flag, path);
  return absolute;
}
