import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SchemaflowError, UsageError } from '../../domain/errors.js';
import { compareText } from '../../domain/text-order.js';
import type { ChangedPath, FileTree, Repository, TreeEntry } from '../../ports.js';
import { createWorkingTree } from '../files/working-tree.js';

/** Output of a git command as a Buffer; undefined when git exits non-zero (a ref that does not resolve). */
function git(root: string, args: readonly string[], options: { allowFailure?: boolean; input?: string } = {}): Buffer | undefined {
  try {
    return execFileSync('git', args, { cwd: root, maxBuffer: 1 << 30, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], ...(options.input === undefined ? {} : { input: options.input }) });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { status?: number; stderr?: Buffer };
    if (failure.code === 'ENOENT') throw new SchemaflowError('TOOL_MISSING', 'git was not found on PATH: install git.', { cause: error });
    if (options.allowFailure) return undefined;
    throw new SchemaflowError('GIT_FAILED', `git ${args.join(' ')} failed in ${root}: ${failure.stderr?.toString('utf8').trim() ?? failure.message}`, { cause: error });
  }
}

const text = (buffer: Buffer | undefined): string => buffer?.toString('utf8').trim() ?? '';

/** A ref the user typed, checked so it can never be read as a git option. */
function safeRef(ref: string): string {
  if (ref.startsWith('-') || /[\s\0]/.test(ref)) throw new SchemaflowError('GIT_FAILED', `${JSON.stringify(ref)} is not a valid git ref.`);
  return ref;
}

/**
 * The git repository containing `directory`. `need` says why the caller needs one and where to run
 * it instead, ending the NOT_A_REPOSITORY message (each command in its own words: the check
 * compares with the base branch, `new` writes into the catalog, registration reads the history).
 */
export function openRepository(directory: string, need = 'schemaflow reads the catalog from git, so run it in a clone of the catalog repository'): Repository {
  const root = text(git(directory, ['rev-parse', '--show-toplevel'], { allowFailure: true }));
  if (!root) throw new UsageError(`${directory} is not inside a git repository; ${need}.`, { code: 'NOT_A_REPOSITORY' });
  return {
    root,
    isShallow: () => text(git(root, ['rev-parse', '--is-shallow-repository'])) === 'true',
    resolveCommit: (ref) => text(git(root, ['rev-parse', '--verify', '--quiet', `${safeRef(ref)}^{commit}`], { allowFailure: true })) || undefined,
    isAncestor: (ancestor, descendant) => git(root, ['merge-base', '--is-ancestor', safeRef(ancestor), safeRef(descendant)], { allowFailure: true }) !== undefined,
    mergeBase: (a, b) => text(git(root, ['merge-base', safeRef(a), safeRef(b)], { allowFailure: true })) || undefined,
    changedPaths(commit, prefix, to) {
      const changes = new Map<string, ChangedPath>();
      const fields = (git(root, ['diff', '--name-status', '-z', '--no-renames', safeRef(commit), ...(to === undefined ? [] : [safeRef(to)]), '--', `${prefix}/`])?.toString('utf8') ?? '').split('\0');
      for (let index = 0; index + 1 < fields.length; index += 2) {
        const status = fields[index] ?? '';
        const path = fields[index + 1] ?? '';
        changes.set(path, { path, status: status === 'A' ? 'added' : status === 'D' ? 'deleted' : 'modified' });
      }
      const untracked = to === undefined ? (git(root, ['ls-files', '--others', '--exclude-standard', '-z', '--', `${prefix}/`])?.toString('utf8') ?? '').split('\0') : [];
      for (const path of untracked) if (path) changes.set(path, { path, status: 'added' });
      return [...changes.values()].sort((a, b) => compareText(a.path, b.path));
    },
    treeAt: (commit, label) => createCommitTree(root, commit, label),
    checkoutDiffers(commit, paths) {
      // Paths are passed one per line: a name with a line break cannot be asked about (and is no catalog file's).
      const asked = paths.filter((path) => !path.includes('\n'));
      if (asked.length === 0) return [];
      // What git would store for each file on disk (its clean filters, eol and encoding conversions
      // applied), against the commit's blob: a CRLF checkout of an LF file is the same.
      const stored = text(git(root, ['hash-object', '--stdin-paths'], { input: `${asked.join('\n')}\n` })).split('\n');
      const committed = text(git(root, ['cat-file', '--batch-check=%(objectname)'], { input: `${asked.map((path) => `${safeRef(commit)}:${path}`).join('\n')}\n` })).split('\n');
      return asked.filter((_, index) => stored[index] !== committed[index]);
    },
    firstParentHistory(commit, prefix) {
      // %x01 marks each commit; -z separates status and path fields with NUL.
      const output = git(root, ['log', '--first-parent', '--diff-merges=first-parent', '--reverse', '--no-renames', '--name-status', '-z', '--format=%x01%H', safeRef(commit), '--', `${prefix}/`])?.toString('utf8') ?? '';
      return output
        .split('\x01')
        .filter(Boolean)
        .map((block) => {
          const [head = '', ...fields] = block.split('\0').map((field) => field.replace(/^\n/, '')).filter((field) => field !== '');
          const changes: ChangedPath[] = [];
          for (let index = 0; index + 1 < fields.length; index += 2) {
            const status = fields[index] ?? '';
            changes.push({ path: fields[index + 1] ?? '', status: status === 'A' ? 'added' : status === 'D' ? 'deleted' : 'modified' });
          }
          return { commit: head, changes };
        });
    },
    workingTree: () => createWorkingTree(root),
  };
}

/** `ls-tree -l -z` output as entries: `<mode> SP <type> SP <object> SP+ <size> TAB <path>` each. */
function treeEntries(output: string): TreeEntry[] {
  return output
    .split('\0')
    .filter(Boolean)
    .map((line): TreeEntry => {
      const [meta = '', path = ''] = line.split('\t');
      const [mode = '', , , size = '-'] = meta.split(/ +/);
      const kind: TreeEntry['kind'] = mode === '040000' ? 'directory' : mode === '120000' ? 'symlink' : mode === '160000' ? 'submodule' : mode.startsWith('100') ? 'file' : 'other';
      return { name: path.slice(path.lastIndexOf('/') + 1), path, kind, size: size === '-' ? 0 : Number(size) };
    });
}

/**
 * A commit's tree, read with ls-tree and cat-file. The top level is listed alone; a directory
 * below it is listed with everything under its top-level directory in one `ls-tree -r` (the
 * catalog, when it is asked about), not one process per directory: a check or registration of
 * 1,000 subjects asks about 1,000 directories. Files read are kept, and readMany reads many in
 * one process.
 */
function createCommitTree(root: string, commit: string, label: string): FileTree {
  const byName = (a: TreeEntry, b: TreeEntry): number => compareText(a.name, b.name);
  const blobs = new Map<string, Uint8Array>();
  const listings = new Map<string, TreeEntry[]>();
  const list = (dir: string): TreeEntry[] => {
    const cached = listings.get(dir);
    if (cached) return cached;
    if (dir === '') {
      const top = treeEntries(git(root, ['ls-tree', '-l', '-z', commit, '--', '.'], { allowFailure: true })?.toString('utf8') ?? '').sort(byName);
      listings.set('', top);
      return top;
    }
    // Ask git only about a top-level directory the commit has: a new one costs no process.
    const top = dir.split('/')[0] ?? '';
    if (list('').some((entry) => entry.path === top && entry.kind === 'directory') && !listings.has(top)) {
      const below = new Map<string, TreeEntry[]>([[top, []]]);
      for (const entry of treeEntries(git(root, ['ls-tree', '-r', '-t', '-l', '-z', commit, '--', `${top}/`], { allowFailure: true })?.toString('utf8') ?? '')) {
        const parent = entry.path.slice(0, entry.path.lastIndexOf('/'));
        const siblings = below.get(parent);
        if (siblings) siblings.push(entry);
        else below.set(parent, [entry]);
      }
      for (const [path, entries] of below) listings.set(path, entries.sort(byName));
    }
    const entries = listings.get(dir) ?? [];
    listings.set(dir, entries);
    return entries;
  };
  const stat = (path: string): TreeEntry | undefined => {
    const slash = path.lastIndexOf('/');
    return list(slash < 0 ? '' : path.slice(0, slash)).find((entry) => entry.path === path);
  };
  return {
    label,
    stat,
    list,
    read(path) {
      if (stat(path)?.kind !== 'file') return undefined;
      const kept = blobs.get(path);
      if (kept) return kept;
      const bytes = git(root, ['cat-file', 'blob', `${commit}:${path}`], { allowFailure: true });
      if (bytes) blobs.set(path, bytes);
      return bytes;
    },
    readMany(paths) {
      // One `git cat-file --batch`: "<object> blob <size>\n<bytes>\n" per path, "<name> missing\n" otherwise.
      const result = new Map<string, Uint8Array>();
      // Regular files only (a symlink is a blob too); the listing tells, and files read are kept.
      const wanted: string[] = [];
      for (const path of paths) {
        const kept = blobs.get(path);
        if (kept) result.set(path, kept);
        else if (stat(path)?.kind === 'file') wanted.push(path);
      }
      if (wanted.length === 0) return result;
      const output = execFileSync('git', ['cat-file', '--batch'], { cwd: root, input: wanted.map((path) => `${commit}:${path}`).join('\n') + '\n', maxBuffer: 1 << 30 });
      let offset = 0;
      for (const path of wanted) {
        const end = output.indexOf(10, offset);
        const header = output.subarray(offset, end).toString('utf8');
        offset = end + 1;
        const match = / blob (\d+)$/.exec(header);
        if (!match) continue;
        const size = Number(match[1]);
        const bytes = new Uint8Array(output.subarray(offset, offset + size));
        blobs.set(path, bytes);
        result.set(path, bytes);
        offset += size + 1;
      }
      return result;
    },
  };
}

/**
 * The top level of the git work tree that holds `directory`, or would hold it once created (it
 * is looked up from the nearest directory that exists); undefined outside any repository.
 * Symbolic links are resolved, so the result compares with `realpathSync` of a path.
 */
export function workTreeTopLevel(directory: string): string | undefined {
  let existing = resolve(directory);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const top = text(git(existing, ['rev-parse', '--show-toplevel'], { allowFailure: true }));
  return top ? realpathSync(top) : undefined;
}

/**
 * The branch a repository's workflows name as its default: the one its remote's HEAD names
 * (`origin/HEAD`, as a clone has it), else the branch checked out (an unborn one too); undefined
 * outside a repository or on a detached HEAD.
 */
export function defaultBranchOf(directory: string): string | undefined {
  const remote = text(git(directory, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'], { allowFailure: true }));
  if (remote.startsWith('origin/')) return remote.slice('origin/'.length);
  return text(git(directory, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowFailure: true })) || undefined;
}

/**
 * Makes `directory` a git repository on branch `main` unless it is inside one already; returns
 * whether it created one. Never touches an existing repository. With `own`, only a repository
 * whose top level is `directory` itself counts: one of schemaflow's own (the demo's) inside the
 * user's clone is created nested, never committed to the clone.
 */
export function initRepository(directory: string, options: { own?: boolean } = {}): boolean {
  const top = text(git(directory, ['rev-parse', '--show-toplevel'], { allowFailure: true }));
  if (top && (!options.own || realpathSync(top) === realpathSync(directory))) return false;
  git(directory, ['init', '-q', '-b', 'main']);
  return true;
}

/**
 * Commits everything in the working tree of `root` (for repositories schemaflow owns, such as
 * the demo's); returns the new commit, or undefined when nothing changed. The identity is set
 * on the command so a machine without git configuration can commit.
 */
export function commitAll(root: string, message: string): string | undefined {
  git(root, ['add', '-A']);
  if (git(root, ['diff', '--cached', '--quiet'], { allowFailure: true }) !== undefined && git(root, ['rev-parse', '--verify', '--quiet', 'HEAD'], { allowFailure: true }) !== undefined) return undefined;
  git(root, ['-c', 'user.name=schemaflow', '-c', 'user.email=schemaflow@localhost', '-c', 'commit.gpgsign=false', 'commit', '-q', '--allow-empty', '-m', message]);
  return text(git(root, ['rev-parse', 'HEAD']));
}
