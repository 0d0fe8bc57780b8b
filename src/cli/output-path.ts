import { accessSync, constants, lstatSync, mkdirSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError, messageOf } from '../domain/errors.js';

/*
 * Where a command writes (`--out` of site, types and manifest build; the files of init and new):
 * checked and prepared before anything is written, so a path that cannot be written is a usage
 * error naming what is in the way (exit 2), never an unexpected error halfway through the writes.
 * Each message starts with a label naming the path as the user gave it: `--out site`, `init acme-catalog`.
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

/** As statOf, but a symbolic link to nothing is there (its own lstat): no directory can be made in its place. */
function entryOf(path: string): Stats | undefined {
  const stats = statOf(path);
  if (stats) return stats;
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function refuse(label: string, problem: string, cause?: unknown): never {
  throw new UsageError(`${label}: ${problem}`, { code: 'OUTPUT_UNWRITABLE', ...(cause === undefined ? {} : { cause }) });
}

/** What `path` is, when it is not the directory a path needs there. */
function notADirectory(path: string, stats: Stats): string {
  return stats.isSymbolicLink() ? `${path} is a symbolic link to nothing, not a directory` : `${path} is not a directory`;
}

/** The nearest existing ancestor of `absolute` (itself included) and the missing ones below it, top first. */
function nearestExisting(absolute: string, label: string): { path: string; stats: Stats | undefined; missing: string[] } {
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    let stats: Stats | undefined;
    try {
      stats = entryOf(current);
    } catch (error) {
      refuse(label, `cannot read ${current}: ${messageOf(error)}`, error);
    }
    const parent = dirname(current);
    if (stats || parent === current) return { path: current, stats, missing };
    missing.unshift(current);
    current = parent;
  }
}

/** The nearest existing ancestor of `absolute` (itself included), which must be a directory, and the missing ones below it, top first. */
function existingAncestor(absolute: string, label: string): { directory: string; missing: string[] } {
  const { path, stats, missing } = nearestExisting(absolute, label);
  if (stats && !stats.isDirectory()) refuse(label, notADirectory(path, stats));
  return { directory: path, missing };
}

function refuseUnwritable(directory: string, label: string): void {
  try {
    accessSync(directory, constants.W_OK);
  } catch (error) {
    refuse(label, `the directory ${directory} is not writable`, error);
  }
}

/**
 * Makes the absolute `path` a directory to write into, named `label` in messages: creates it and
 * its missing parents one level at a time. Never `mkdir -p`: Node's recursive mkdir loops for
 * ever where mkdir answers ENOENT for a parent that exists (/proc).
 */
export function prepareDirectory(path: string, label: string): string {
  const { directory, missing } = existingAncestor(path, label);
  if (missing.length === 0) refuseUnwritable(directory, label);
  for (const created of missing) {
    try {
      mkdirSync(created);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && statOf(created)?.isDirectory()) continue;
      refuse(label, `cannot create the directory ${created}: ${messageOf(error)}`, error);
    }
  }
  return path;
}

/** Makes `path` (given as `--<flag> path`) a directory to write into and returns it absolute (see prepareDirectory). */
export function prepareOutputDirectory(path: string, flag: string): string {
  return prepareDirectory(resolve(path), `--${flag} ${path}`);
}

/**
 * Checks, writing nothing, that each of `files` (absolute) can be written, over what is there:
 * an existing one must be a writable file (not a directory), a missing one creatable as
 * checkFilesCreatable says. For commands that rewrite their output (types, site): every problem
 * is named in one usage error, labelled `label` and ending with `fix`, before anything is written.
 */
export function checkFilesWritable(files: readonly string[], label: string, fix: string): void {
  const blocked: string[] = [];
  const missing: string[] = [];
  for (const file of files) {
    const stats = entryOf(file);
    if (!stats) missing.push(file);
    else if (stats.isDirectory()) blocked.push(`${file} is a directory, where the file goes`);
    else if (stats.isSymbolicLink()) blocked.push(`${file} is a symbolic link to nothing`);
    else {
      try {
        accessSync(file, constants.W_OK);
      } catch {
        blocked.push(`${file} is not writable`);
      }
    }
  }
  if (blocked.length > 0) refuse(label, `${blocked.join('; ')}. ${fix}`);
  checkFilesCreatable(missing, label, fix);
}

/**
 * Checks, creating nothing, that each of `files` (absolute) can be created: its nearest existing
 * ancestor is a writable directory. For commands that write several files and must write all or
 * none (init, new): every file, link or unreadable path where a directory must go is named in one
 * usage error, labelled `label` and ending with `fix`, before anything is written. Whether a file
 * is there already is the caller's to decide (init and new refuse it with codes of their own).
 */
export function checkFilesCreatable(files: readonly string[], label: string, fix: string): void {
  const blocked = new Map<string, string>();
  for (const file of files) {
    const { path, stats } = nearestExisting(dirname(file), label);
    if (stats && !stats.isDirectory()) {
      if (!blocked.has(path)) blocked.set(path, `${notADirectory(path, stats)}, so ${file} cannot be created`);
    } else if (stats) {
      try {
        accessSync(path, constants.W_OK);
      } catch {
        if (!blocked.has(path)) blocked.set(path, `the directory ${path} is not writable, so ${file} cannot be created`);
      }
    }
  }
  if (blocked.size > 0) refuse(label, `${[...blocked.values()].join('; ')}. ${fix}`);
}

/**
 * Checks that `path` (given as `--<flag> path`) can be written as a file and returns it absolute:
 * it is not a directory, its directory exists (not created: a mistyped path should not grow
 * directories), and it, or its directory when it is new, is writable.
 */
export function prepareOutputFile(path: string, flag: string): string {
  const label = `--${flag} ${path}`;
  const absolute = resolve(path);
  let stats: Stats | undefined;
  try {
    stats = statOf(absolute);
  } catch (error) {
    refuse(label, `cannot read ${absolute}: ${messageOf(error)}`, error);
  }
  if (stats?.isDirectory()) refuse(label, 'it is a directory; give a file name');
  const parent = dirname(absolute);
  if (existingAncestor(parent, label).missing.length > 0) refuse(label, `the directory ${parent} does not exist; create it first, or write to another file`);
  if (stats) {
    try {
      accessSync(absolute, constants.W_OK);
    } catch (error) {
      refuse(label, `${absolute} is not writable`, error);
    }
  } else refuseUnwritable(parent, label);
  return absolute;
}
