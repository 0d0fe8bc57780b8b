import type { Finding } from '../domain/finding.js';
import type { TreeEntry } from '../ports.js';
import { findingOnFile } from './finding-builder.js';

/**
 * What an entry that is not a regular file is, in words: a symbolic link, a git submodule
 * (gitlink, mode 160000; in the working tree a checkout leaves an empty directory for it, and
 * git lists a directory by its own path only for a submodule or a nested repository), or
 * something else (a FIFO, socket or device). Undefined for a regular file.
 */
export function describeEntry(entry: TreeEntry | undefined): string | undefined {
  switch (entry?.kind) {
    case 'file':
      return undefined;
    case 'symlink':
      return 'a symbolic link';
    case 'submodule':
      return 'a git submodule (gitlink, mode 160000)';
    case 'directory':
      return 'a directory (git records a submodule or a nested repository there)';
    case 'other':
      return 'neither a file nor a directory (a FIFO, socket or device)';
    default:
      return 'missing (git lists it, but nothing is there)';
  }
}

/**
 * The finding for a catalog path git lists whose entry in `tree` is not a regular file, or
 * undefined when it is one (DESIGN.md §10: the catalog holds regular files only; nothing else
 * is read, followed or silently skipped). Symbolic links keep their own code.
 */
export function notRegularFileFinding(path: string, entry: TreeEntry | undefined, treeLabel: string): Finding | undefined {
  const what = describeEntry(entry);
  if (what === undefined) return undefined;
  const shown = path.replace(/\/+$/, '');
  if (entry?.kind === 'symlink') {
    return findingOnFile(shown, 'SYMLINK_NOT_ALLOWED', `${shown} is a symbolic link; the catalog holds regular files only and never follows links. Replace it with the file itself.`);
  }
  const kind = entry?.kind ?? 'missing';
  const fix = kind === 'directory' || kind === 'submodule' ? `Remove it (\`git rm --cached ${shown}\`, then delete the directory) and add the file itself.` : 'Replace it with the file itself.';
  return findingOnFile(shown, 'NOT_REGULAR_FILE', `${shown} is ${what} in the ${treeLabel}, not a regular file; the catalog holds regular files only, and this one would be read as nothing. ${fix}`, { kind });
}
