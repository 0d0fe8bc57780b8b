import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { if?: string; needs?: string; environment?: { name: string }; permissions?: Record<string, string>; steps: Step[] }>;
}

const read = (name: string): Workflow => parse(readFileSync(new URL(`../../../.github/workflows/${name}`, import.meta.url), 'utf8')) as Workflow;

describe('.github/workflows/site.yml', () => {
  const site = read('site.yml');
  const register = read('register.yml');
  const steps = Object.values(site.jobs).flatMap((job) => job.steps);
  const uses = (prefix: string): Step | undefined => steps.find((step) => step.uses?.startsWith(prefix));

  it('runs after each successful registration on the default branch, and on demand', () => {
    expect(site.on.workflow_run).toEqual({ workflows: [register.name], types: ['completed'], branches: ['main'] });
    expect(site.on).toHaveProperty('workflow_dispatch');
    expect(site.jobs.build?.if).toContain("github.event.workflow_run.conclusion == 'success'");
  });

  // Regression: pages: write was the workflow's, so the build job, which runs npm ci (install
  // scripts of every dependency), could deploy to the Pages site too.
  it('gives each job only the permissions it needs: OIDC and a read of the Pages settings to build, Pages to deploy', () => {
    expect(site.permissions).toEqual({ contents: 'read' });
    expect(site.jobs.build?.permissions).toEqual({ contents: 'read', pages: 'read', 'id-token': 'write' });
    expect(site.jobs.deploy?.permissions).toEqual({ pages: 'write', 'id-token': 'write' });
  });

  it('reads the manifest where registration publishes it, with the same OIDC identity', () => {
    const registerSteps = Object.values(register.jobs).flatMap((job) => job.steps);
    const registerAuth = registerSteps.find((step) => step.uses?.startsWith('google-github-actions/auth@'));
    expect(uses('google-github-actions/auth@')?.with).toEqual(registerAuth?.with);
    const build = steps.find((step) => step.run?.includes('schemaflow site'));
    expect(build?.env?.SCHEMAFLOW_MANIFEST_URL).toBe(registerSteps.find((step) => step.uses === './actions/register')?.with?.['manifest-url']);
    expect(build?.env?.SCHEMAFLOW_LAKE_URL).toBe('${{ vars.SCHEMAFLOW_LAKE_URL }}');
    expect(build?.run).toMatch(/--out (\S+)$/);
    expect(uses('actions/upload-pages-artifact@')?.with?.path).toBe(/--out (\S+)$/.exec(build?.run ?? '')?.[1]);
  });

  it('configures, uploads and deploys with the Pages actions', () => {
    for (const action of ['actions/configure-pages@', 'actions/upload-pages-artifact@', 'actions/deploy-pages@']) expect(uses(action), action).toBeDefined();
    expect(site.jobs.deploy).toMatchObject({ needs: 'build', environment: { name: 'github-pages' } });
  });
});

describe('.github/workflows/ci.yml', () => {
  it('keeps test-results/ (report and screenshots) as an artifact of every run', () => {
    const upload = Object.values(read('ci.yml').jobs)
      .flatMap((job) => job.steps)
      .find((step) => step.uses?.startsWith('actions/upload-artifact@')) as (Step & { if?: string }) | undefined;
    expect(upload?.with?.path).toBe('test-results/');
    expect(upload?.if).toBe('always()');
  });

  it('runs the suite on the oldest Node the package supports and on the actions\' Node 24', () => {
    const test = read('ci.yml').jobs.test as { strategy?: { matrix?: { node?: unknown } }; steps: Step[] };
    expect(test.strategy?.matrix?.node).toEqual([20, 24]);
    expect(test.steps.find((step) => step.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe('${{ matrix.node }}');
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('>=20.19');
  });

  it('caches what the test run downloads, keyed by the files that pin its versions', () => {
    const cache = Object.values(read('ci.yml').jobs)
      .flatMap((job) => job.steps)
      .find((step) => step.uses?.startsWith('actions/cache@'));
    expect(String(cache?.with?.path).trim().split('\n')).toEqual(['~/.m2/repository', '~/.cache/schemaflow']);
    expect(String(cache?.with?.key)).toContain("hashFiles('src/dev/versions.ts', 'src/dev/toolchain.ts', 'test/support/action-runtime.ts')");
  });
});
