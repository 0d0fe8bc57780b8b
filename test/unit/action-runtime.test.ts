import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { actionNodeMajor } from '../support/action-runtime.js';
import { runAction } from '../support/action.js';

it('runs the action bundles on the Node.js major their action.yml names, whatever Node.js runs the suite', () => {
  const node = process.env.SCHEMAFLOW_ACTION_NODE ?? '';
  expect(node).not.toBe('');
  const major = Number(/^v(\d+)\./.exec(execFileSync(node, ['--version'], { encoding: 'utf8' }))?.[1]);
  expect(major).toBe(actionNodeMajor());
  // runAction spawns that binary: unset, it refuses rather than fall back to this process's Node.js.
  delete process.env.SCHEMAFLOW_ACTION_NODE;
  try {
    expect(() => runAction('check', { cwd: process.cwd(), inputs: {} })).toThrow(/SCHEMAFLOW_ACTION_NODE is not set/);
  } finally {
    process.env.SCHEMAFLOW_ACTION_NODE = node;
  }
});
