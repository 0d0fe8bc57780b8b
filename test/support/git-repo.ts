import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The example catalog shipped in the repository. */
export const EXAMPLE_CATALOG = fileURLToPath(new URL('../../catalog', import.meta.url));

export interface TestRepo {
  readonly root: string;
  git(...args: string[]): string;
  write(path: string, content: string | Uint8Array): void;
  remove(path: string): void;
  symlink(target: string, path: string): void;
  commit(message: string): void;
  /** Discards every uncommitted change: staged, unstaged and untracked. */
  reset(): void;
  dispose(): void;
}

/**
 * A real git repository in a temporary directory (STYLE.md: tests drive real git), with the
 * example catalog committed on `main` unless `withCatalog` is false.
 */
export function createTestRepo(options: { withCatalog?: boolean } = {}): TestRepo {
  const root = mkdtempSync(join(tmpdir(), 'schemaflow-repo-'));
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.com' } });
  git('init', '-q', '-b', 'main');
  git('config', 'commit.gpgsign', 'false');
  const repo: TestRepo = {
    root,
    git,
    write(path, content) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    },
    remove(path) {
      rmSync(join(root, path), { recursive: true, force: true });
    },
    symlink(target, path) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      symlinkSync(target, join(root, path));
    },
    commit(message) {
      git('add', '-A');
      git('commit', '-q', '--allow-empty', '-m', message);
    },
    reset() {
      git('reset', '-q', '--hard', 'HEAD');
      git('clean', '-q', '-f', '-d', '-x', '--', 'catalog');
    },
    dispose() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  if (options.withCatalog !== false) cpSync(EXAMPLE_CATALOG, join(root, 'catalog'), { recursive: true });
  repo.commit('base');
  return repo;
}
