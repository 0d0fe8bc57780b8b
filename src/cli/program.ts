import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveSettings } from '../config/resolve.js';
import { findSetting, type SettingKey } from '../config/settings.js';
import { SchemaflowError, UsageError, describeError } from '../domain/errors.js';
import type { Command, Io } from './command.js';
import { catalogCommands } from './commands/catalog.js';
import { compatCommands } from './commands/compat.js';
import { demoCommands } from './commands/demo.js';
import { devCommands } from './commands/dev.js';
import { discoveryCommands } from './commands/discovery.js';
import { flowCommands } from './commands/flow.js';
import { manifestCommands } from './commands/manifest.js';
import { produceCommands } from './commands/produce.js';
import { registerCommands } from './commands/register.js';
import { typesCommands } from './commands/types.js';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [...catalogCommands, ...compatCommands, ...registerCommands, ...manifestCommands, ...produceCommands, ...typesCommands, ...flowCommands, ...discoveryCommands, ...demoCommands, ...devCommands];

/** The package version, read from package.json next to the build output. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly io: Io;
}

/**
 * Runs one CLI invocation and returns its exit code: 0 success, 1 the command found problems
 * or could not finish, 2 a bad invocation or bad configuration.
 */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  const { io } = context;
  const words: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('-')) break;
    words.push(arg);
  }
  const command = findCommand(words);
  try {
    if (!command) return topLevel(argv, words, io);
    const rest = argv.slice(command.name.split(' ').length);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(commandHelp(command));
      return 0;
    }
    const { positionals, options, flags } = parseCommandArgs(command, rest);
    const { values } = resolveSettings(command.settings, { flags, env: context.env });
    return await command.run({ positionals, options, config: values, env: context.env, io });
  } catch (error) {
    return reportError(error, command, io);
  }
}

function topLevel(argv: readonly string[], words: readonly string[], io: Io): number {
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  if (argv.length === 0) {
    io.err(programHelp(COMMANDS));
    return 2;
  }
  if (words.length === 0 && (argv[0] === '--version' || argv[0] === '-v')) {
    io.out(packageVersion());
    return 0;
  }
  if ((words.length === 0 && wantsHelp) || words[0] === 'help') {
    io.out(programHelp(COMMANDS));
    return 0;
  }
  const group = COMMANDS.filter((candidate) => candidate.name.startsWith(`${words[0] ?? ''} `));
  if (group.length > 0 && words.length === 1 && wantsHelp) {
    io.out(programHelp(group));
    return 0;
  }
  if (group.length > 0) {
    const choices = group.map((candidate) => candidate.name.split(' ').at(-1)).join(', ');
    const given = words[1] === undefined ? 'a subcommand' : `a subcommand, not '${words[1]}'`;
    throw new UsageError(`'${words[0] ?? ''}' needs ${given}: ${choices}`);
  }
  throw new UsageError(words.length > 0 ? `unknown command '${words[0] ?? ''}'` : `unknown option '${argv[0] ?? ''}'`);
}

function findCommand(words: readonly string[]): Command | undefined {
  return COMMANDS.find((command) => {
    const parts = command.name.split(' ');
    return parts.length <= words.length && parts.every((part, index) => words[index] === part);
  });
}

function parseCommandArgs(command: Command, args: readonly string[]) {
  const optionSpecs: Record<string, { type: 'string' | 'boolean' }> = {};
  const settingByFlag = new Map<string, SettingKey>();
  for (const key of command.settings) {
    const flag = findSetting(key).flag;
    if (flag) {
      optionSpecs[flag] = { type: 'string' };
      settingByFlag.set(flag, key);
    }
  }
  for (const [name, spec] of Object.entries(command.options ?? {})) optionSpecs[name] = { type: spec.type };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options: optionSpecs, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '') : String(error));
  }
  const flags: Partial<Record<SettingKey, string>> = {};
  const options: Record<string, string | boolean | undefined> = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    const setting = settingByFlag.get(name);
    if (setting && typeof value === 'string') flags[setting] = value;
    else if (typeof value === 'string' || typeof value === 'boolean') options[name] = value;
  }
  return { positionals: parsed.positionals, options, flags };
}

function reportError(error: unknown, command: Command | undefined, io: Io): number {
  if (error instanceof UsageError) {
    io.err(`schemaflow: error: ${error.message}`);
    io.err(command ? `run 'schemaflow ${command.name} --help' for usage` : "run 'schemaflow --help' for the commands");
    return 2;
  }
  if (error instanceof SchemaflowError) {
    io.err(`schemaflow: ${error.code}: ${describeError(error)}`);
    return error.exitCode;
  }
  io.err(`schemaflow: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 1;
}

/** `schemaflow --help`. */
export function programHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length)) + 2;
  return [
    'schemaflow: a GitOps schema catalog with an event stream and a data lake',
    '',
    'Usage: schemaflow <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    '',
    'Options:',
    '  -h, --help     show help (also after a command)',
    '  -v, --version  print the version',
    '',
    "Exit codes: 0 success, 1 problems found or the run failed, 2 bad invocation or configuration.",
  ].join('\n');
}

/** `schemaflow <command> --help`: usage, options with their env vars and defaults. */
export function commandHelp(command: Command): string {
  const rows: Array<[string, string]> = [];
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    rows.push([`--${name}${spec.type === 'string' ? ` <${spec.valueName ?? 'value'}>` : ''}`, spec.description]);
  }
  for (const key of command.settings) {
    const setting = findSetting(key);
    const plainDefault = setting.defaultText.replace(/`/g, '');
    const label = setting.flag ? `--${setting.flag} <value>` : `(${setting.env} only)`;
    rows.push([label, `${setting.description.replace(/`/g, '')} [env ${setting.env}; default ${plainDefault}]`]);
  }
  const width = Math.max(0, ...rows.map(([label]) => label.length)) + 2;
  return [
    `Usage: schemaflow ${command.name}${command.args ? ` ${command.args}` : ''} [options]`,
    '',
    command.summary,
    ...(command.details ? ['', command.details] : []),
    ...(rows.length > 0 ? ['', 'Options:', ...rows.map(([label, text]) => `  ${label.padEnd(width)}${text}`)] : []),
    '  -h, --help'.padEnd(width + 2) + 'show this help',
  ].join('\n');
}
