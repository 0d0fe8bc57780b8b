import { lstatSync, readFileSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { FileTree, TreeEntry } from '../../ports.js';

function kindOf(stats: Stats): TreeEntry['kind'] {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  return 'other';
}

/**
 * The files on disk under `root`, never following a symbolic link: every component of a path
 * is checked with lstat, so a link anywhere on the way (say `catalog/apps -> /etc`) makes the
 * path a `symlink` entry and unreadable (DESIGN.md §10).
 */
export function createWorkingTree(root: string): FileTree {
  const statCache = new Map<string, TreeEntry | undefined>();

  const stat = (path: string): TreeEntry | undefined => {
    if (statCache.has(path)) return statCache.get(path);
    let entry: TreeEntry | undefined;
    const parts = path.split('/').filter((part) => part !== '' && part !== '.');
    if (parts.includes('..')) entry = undefined;
    else {
      const parent = parts.length > 1 ? stat(parts.slice(0, -1).join('/')) : undefined;
      if (parts.length > 1 && parent?.kind !== 'directory') {
        entry = parent?.kind === 'symlink' ? { name: parts.at(-1) ?? '', path, kind: 'symlink', size: 0 } : undefined;
      } else {
        try {
          const stats = lstatSync(join(root, ...parts));
          const kind = kindOf(stats);
          entry = { name: parts.at(-1) ?? '', path, kind, size: kind === 'file' ? stats.size : 0 };
        } catch {
          entry = undefined;
        }
      }
    }
    statCache.set(path, entry);
    return entry;
  };

  const read = (path: string): Uint8Array | undefined => {
    if (stat(path)?.kind !== 'file') return undefined;
    try {
      return readFileSync(join(root, path));
    } catch {
      return undefined;
    }
  };

  return {
    label: 'working tree',
    stat,
    list(dir) {
      if (stat(dir)?.kind !== 'directory') return [];
      return readdirSync(join(root, dir))
        .sort()
        .flatMap((name) => {
          const entry = stat(`${dir}/${name}`);
          return entry ? [entry] : [];
        });
    },
    read,
    readMany(paths) {
      const result = new Map<string, Uint8Array>();
      for (const path of paths) {
        const bytes = read(path);
        if (bytes) result.set(path, bytes);
      }
      return result;
    },
  };
}
