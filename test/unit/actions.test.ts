import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SETTINGS } from '../../src/config/settings.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const actions = readdirSync(join(ROOT, 'actions')).filter((name) => existsSync(join(ROOT, 'actions', name, 'action.yml')));

describe('the GitHub Actions', () => {
  it('exist and run dist/index.js on node24', () => {
    expect(actions).toEqual(expect.arrayContaining(['check', 'flow', 'register']));
    for (const name of actions) {
      const action = parse(readFileSync(join(ROOT, 'actions', name, 'action.yml'), 'utf8')) as { runs: { using: string; main: string }; inputs: Record<string, unknown> };
      expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
      for (const input of Object.keys(action.inputs)) {
        const setting = SETTINGS.find((candidate) => candidate.actionInput === input);
        expect(setting !== undefined || ['env', 'dry-run', 'reconcile', 'github-token', 'comment-author', 'subjects', 'shard', 'max-duration', 'flush-bytes', 'allowed-lateness', 'max-record-bytes', 'close-only', 'workers'].includes(input), `${name}: input ${input} is neither a setting nor an action option`).toBe(true);
      }
    }
  });

  it('have committed bundles that are current (rebuild with npm run bundle)', () => {
    const out = mkdtempSync(join(tmpdir(), 'schemaflow-bundle-'));
    try {
      execFileSync(process.execPath, [join(ROOT, 'test/tools/bundle-actions.js'), '--out', out], { cwd: ROOT, stdio: 'pipe' });
      for (const name of actions) {
        const files = readdirSync(join(out, 'actions', name, 'dist'));
        expect(files).toContain('index.js');
        expect(readdirSync(join(ROOT, 'actions', name, 'dist')).sort()).toEqual([...files].sort());
        for (const file of files) {
          const fresh = readFileSync(join(out, 'actions', name, 'dist', file));
          const committed = readFileSync(join(ROOT, 'actions', name, 'dist', file));
          expect(fresh.equals(committed), `actions/${name}/dist/${file} is stale: run npm run bundle and commit it`).toBe(true);
        }
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
