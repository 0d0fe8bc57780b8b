import { readFileSync } from 'node:fs';
import type { CompatibilityMode, CompatibilityPolicy } from '../../catalog/config-files.js';
import { UsageError, messageOf } from '../../domain/errors.js';
import { findingLine } from '../../domain/finding.js';
import { compareFiles, type FileInput } from '../../usecases/compare-files.js';
import { defineCommand, FORMAT_OPTION, oneOf, outputFormat } from '../command.js';

const MODES: readonly CompatibilityMode[] = ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE'];
const POLICIES: readonly CompatibilityPolicy[] = ['STRICT', 'DEFAULT'];

function read(path: string): FileInput {
  try {
    return { path, bytes: readFileSync(path) };
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${messageOf(error)}`, { code: 'UNREADABLE_SCHEMA' });
  }
}

const compat = defineCommand({
  name: 'compat',
  summary: 'compare two schema files: can each side read what the other writes?',
  args: '<old.json> <new.json>',
  settings: [],
  options: {
    mode: { type: 'string', valueName: 'mode', description: `${MODES.join(', ')} [default: FULL]` },
    policy: { type: 'string', valueName: 'policy', description: 'STRICT (set semantics) or DEFAULT (also: never remove a property, never change a type) [default: DEFAULT]' },
    format: FORMAT_OPTION,
  },
  details: 'Two files only: no catalog lint, no naming rules. Exit 0 compatible; 1 incompatible or undecided; 2 a file is unreadable, not JSON, or not a valid draft-07/2020-12 schema.',
  async run({ positionals, options, io }) {
    if (positionals.length < 2) throw new UsageError('expected exactly two files: schemaflow compat <old.json> <new.json>');
    const mode = oneOf(options.mode, MODES, 'FULL', 'mode');
    const policy = oneOf(options.policy, POLICIES, 'DEFAULT', 'policy');
    const format = outputFormat(options.format);
    const [oldPath = '', newPath = ''] = positionals;
    const result = compareFiles(read(oldPath), read(newPath), { mode, policy });
    if (format === 'json') {
      io.out(JSON.stringify({ verdict: result.verdict, mode, policy, old: oldPath, new: newPath, findings: result.findings }, null, 2));
    } else {
      for (const finding of result.findings) io.out(findingLine(finding, { severity: false }));
      if (result.findings.length > 0) io.out('');
      io.out(`${result.verdict} under ${mode} with policy ${policy}: ${newPath} against ${oldPath} (${result.findings.length} finding${result.findings.length === 1 ? '' : 's'})`);
    }
    return Promise.resolve(result.verdict === 'compatible' ? 0 : 1);
  },
});

/** `schemaflow compat`. */
export const compatCommands = [compat];
