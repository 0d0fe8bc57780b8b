import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { EnvironmentChoice } from '../adapters/catalog-environment.js';
import { CLI_MANIFEST_NAMES, explainManifestError, manifestOrigin } from '../config/manifest-hint.js';
import { resolveSettings } from '../config/resolve.js';
import { findSetting, type SettingKey } from '../config/settings.js';
import { SchemaflowError, UsageError, describeError } from '../domain/errors.js';
import { terminalText } from '../domain/terminal-text.js';
import { flagSettings, positionalLimit, readsLocation, type Command, type Io } from './command.js';

/**
 * The command modules, in the order `--help` lists them, each with the names of the commands it
 * defines: an invocation loads only its own module, so `schemaflow search` does not pay for the
 * Kafka and GCS clients, ajv and the regex analysers the other commands import (half a second).
 * A test holds the names equal to what each module defines.
 */
export const COMMAND_MODULES: ReadonlyArray<{ readonly names: readonly string[]; readonly load: () => Promise<readonly Command[]> }> = [
  { names: ['check', 'new', 'init'], load: async () => (await import('./commands/catalog.js')).catalogCommands },
  { names: ['compat'], load: async () => (await import('./commands/compat.js')).compatCommands },
  { names: ['plan', 'register'], load: async () => (await import('./commands/register.js')).registerCommands },
  { names: ['manifest build'], load: async () => (await import('./commands/manifest.js')).manifestCommands },
  { names: ['produce'], load: async () => (await import('./commands/produce.js')).produceCommands },
  { names: ['types'], load: async () => (await import('./commands/types.js')).typesCommands },
  { names: ['flow run', 'flow close', 'lake audit'], load: async () => (await import('./commands/flow.js')).flowCommands },
  { names: ['search', 'show', 'site'], load: async () => (await import('./commands/discovery.js')).discoveryCommands },
  { names: ['demo'], load: async () => (await import('./commands/demo.js')).demoCommands },
  { names: ['dev up', 'dev status', 'dev down'], load: async () => (await import('./commands/dev.js')).devCommands },
];

const COMMAND_NAMES = COMMAND_MODULES.flatMap((module) => module.names);

/** Every command, in the order `--help` lists them (loads every module). */
export async function loadCommands(): Promise<readonly Command[]> {
  return (await Promise.all(COMMAND_MODULES.map((module) => module.load()))).flat();
}

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
 * or could not finish, 2 a bad invocation or bad configuration, 130 or 143 a graceful command
 * (Command.stopsOnSignals) stopped by SIGINT or SIGTERM.
 */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  // `schemaflow help <command>` is `schemaflow <command> --help`: one way to find a command's help.
  if (argv[0] === 'help' && argv.length > 1) return runCli([...argv.slice(1), '--help'], context);
  // Every line a command prints passes here: what it quotes (descriptions, names, messages) is
  // pull-request or manifest content, and must not act on the reader's terminal.
  const io: Io = { out: (line) => context.io.out(terminalText(line)), err: (line) => context.io.err(terminalText(line)) };
  const words: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('-')) break;
    words.push(arg);
  }
  let command: Command | undefined;
  try {
    command = await findCommand(words);
    if (!command) return await topLevel(argv, words, io);
    const rest = argv.slice(command.name.split(' ').length);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(commandHelp(command));
      return 0;
    }
    const { positionals, options, flags } = parseCommandArgs(command, rest);
    const environment = environmentOf(command, options);
    // Loaded only for --env: reading catalog.yaml brings the YAML parser and ajv, which most commands never need.
    const { values, sources } = environment === undefined ? resolveSettings(command.settings, { flags, env: context.env }) : (await import('../adapters/catalog-environment.js')).resolveInEnvironment(command.settings, { flags, env: context.env }, environment);
    try {
      return await command.run({ positionals, options, config: values, sources, env: context.env, io });
    } catch (error) {
      // A manifest that cannot be read: what to check, said alike by every command that reads one.
      if (!command.settings.includes('manifestUrl')) throw error;
      throw explainManifestError(error, manifestOrigin(values, sources.manifestUrl, environment?.name, CLI_MANIFEST_NAMES, command.registration === true));
    }
  } catch (error) {
    return reportError(error, command, io);
  }
}

/**
 * The catalog.yaml environment `--env` names, for a command that reads a setting an environment
 * can name (ENVIRONMENT_SETTINGS): its values then stand in for those settings' defaults. (A
 * command that reads none, as `manifest build`, uses `--env` for topic overrides alone.)
 */
function environmentOf(command: Command, options: Readonly<Record<string, string | boolean | undefined>>): EnvironmentChoice | undefined {
  const name = options.env;
  return typeof name === 'string' && readsLocation(command) ? { name, given: '--env', directory: process.cwd() } : undefined;
}

async function topLevel(argv: readonly string[], words: readonly string[], io: Io): Promise<number> {
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  if (argv.length === 0) {
    io.err(programHelp(await loadCommands()));
    return 2;
  }
  if (words.length === 0 && (argv[0] === '--version' || argv[0] === '-v')) {
    io.out(packageVersion());
    return 0;
  }
  if ((words.length === 0 && wantsHelp) || words[0] === 'help') {
    io.out(programHelp(await loadCommands()));
    return 0;
  }
  const group = COMMAND_NAMES.filter((name) => name.startsWith(`${words[0] ?? ''} `));
  if (group.length > 0 && words.length === 1 && wantsHelp) {
    io.out(programHelp((await loadCommands()).filter((candidate) => group.includes(candidate.name))));
    return 0;
  }
  if (group.length > 0) {
    const choices = group.map((name) => name.split(' ').at(-1)).join(', ');
    const given = words[1] === undefined ? 'a subcommand' : `a subcommand, not '${words[1]}'`;
    throw new UsageError(`'${words[0] ?? ''}' needs ${given}: ${choices}`);
  }
  throw new UsageError(words.length > 0 ? `unknown command '${words[0] ?? ''}'` : `unknown option '${argv[0] ?? ''}'`);
}

/** The command the words name, with its module loaded; undefined when they name none. */
async function findCommand(words: readonly string[]): Promise<Command | undefined> {
  const name = COMMAND_NAMES.find((candidate) => {
    const parts = candidate.split(' ');
    return parts.length <= words.length && parts.every((part, index) => words[index] === part);
  });
  const module = COMMAND_MODULES.find((entry) => name !== undefined && entry.names.includes(name));
  return module ? (await module.load()).find((command) => command.name === name) : undefined;
}

function parseCommandArgs(command: Command, args: readonly string[]) {
  const optionSpecs: Record<string, { type: 'string' | 'boolean' }> = {};
  const settingByFlag = new Map<string, SettingKey>();
  for (const key of flagSettings(command)) {
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
    if (typeof value === 'string' && value.trim() === '') refuseEmptyValue(command, name, setting);
    if (setting && typeof value === 'string') flags[setting] = value;
    else if (typeof value === 'string' || typeof value === 'boolean') options[name] = value;
  }
  refuseExtraPositionals(command, parsed.positionals);
  return { positionals: parsed.positionals, options, flags };
}

/**
 * One check for every option of every command: an empty value (`--shard ""`, often an unset
 * shell variable in `--shard "$SHARD"`) is a mistake, never read as "use the default": a run
 * over every shard, or every subject, is not what the caller asked for. (The actions, where
 * GitHub passes an input not given as an empty string, read empty as unset before this point.)
 */
function refuseEmptyValue(command: Command, name: string, setting: SettingKey | undefined): never {
  const spec = command.options?.[name];
  const fallback = setting ? findSetting(setting).defaultText.replace(/`/g, '') : /\[default: (.*)\]$/.exec(spec?.description ?? '')?.[1];
  const leaveOut = fallback === undefined ? '' : `, or leave --${name} out for its default (${fallback})`;
  throw new UsageError(`--${name} was given an empty value: give <${spec?.valueName ?? 'value'}>${leaveOut}`);
}

/** One check for every command: arguments beyond what its usage shows are a mistake, never ignored. */
function refuseExtraPositionals(command: Command, positionals: readonly string[]): void {
  const extra = positionals.slice(positionalLimit(command.args));
  if (extra.length === 0) return;
  const takes = command.args ? `takes only ${command.args}` : 'takes no arguments, only options';
  const listed = extra.map((word) => JSON.stringify(word)).join(', ');
  throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''} ${listed}: schemaflow ${command.name} ${takes}`);
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
    'Exit codes:',
    '  0        success',
    '  1        problems found, or the run failed',
    '  2        bad invocation or configuration',
    `  130/143  ${signalExit(commands)}`,
  ].join('\n');
}

/** What SIGINT / SIGTERM do to the commands listed: the graceful ones (Command.stopsOnSignals) first finish what they must (commit, stop services). */
function signalExit(commands: readonly Command[]): string {
  const graceful = commands.filter((command) => command.stopsOnSignals !== undefined).map((command) => command.name);
  if (graceful.length === 0) return 'ended by SIGINT/SIGTERM (at once)';
  const one = graceful.length === 1;
  const names = one ? (graceful[0] ?? '') : `${graceful.slice(0, -1).join(', ')} and ${graceful.at(-1) ?? ''}`;
  const safely = `${names} ${one ? 'stops' : 'stop'} cleanly first (see ${one ? 'its' : 'their'} --help)`;
  return graceful.length === commands.length ? `stopped by SIGINT/SIGTERM: ${safely}` : `stopped by SIGINT/SIGTERM: ${safely}, the other commands end at once`;
}

/** A graceful command's help: the exit codes of a stop signal (Command.stopsOnSignals). */
const signalDetails = (what: string): string => `Exit 130 or 143: stopped by SIGINT or SIGTERM: ${what} (a second signal ends it at once).`;

/** `schemaflow <command> --help`: usage, options with their env vars and defaults. */
export function commandHelp(command: Command): string {
  const rows: Array<[string, string]> = [];
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    rows.push([`--${name}${spec.type === 'string' ? ` <${spec.valueName ?? 'value'}>` : ''}`, spec.description]);
  }
  for (const key of flagSettings(command)) {
    const setting = findSetting(key);
    const plainDefault = setting.defaultText.replace(/`/g, '');
    const label = setting.flag ? `--${setting.flag} <value>` : `(${setting.env} only)`;
    const forEnvironment = command.settings.includes(key) ? '' : ' (read with --env only)';
    rows.push([label, `${setting.description.replace(/`/g, '')}${forEnvironment} [env ${setting.env}; default ${plainDefault}]`]);
  }
  const width = Math.max(0, ...rows.map(([label]) => label.length)) + 2;
  return [
    `Usage: schemaflow ${command.name}${command.args ? ` ${command.args}` : ''} [options]`,
    '',
    command.summary,
    ...(command.details !== undefined || command.stopsOnSignals !== undefined ? ['', [command.details, command.stopsOnSignals === undefined ? undefined : signalDetails(command.stopsOnSignals)].filter((text) => text !== undefined).join(' ')] : []),
    ...(rows.length > 0 ? ['', 'Options:', ...rows.map(([label, text]) => `  ${label.padEnd(width)}${text}`)] : []),
    '  -h, --help'.padEnd(width + 2) + 'show this help',
  ].join('\n');
}

/** The README's table of every command's own options (setting flags are in the settings table). */
export function renderCommandOptionsTable(commands: readonly Command[]): string {
  const rows = commands.flatMap((command) =>
    // A pipe ends a table cell even inside backticks (GFM): escaped in every cell.
    Object.entries(command.options ?? {}).map(([name, spec]) => `| \`schemaflow ${command.name}\` | \`--${name}${spec.type === 'string' ? ` <${spec.valueName ?? 'value'}>` : ''}\` | ${spec.description} |`.replace(/(?<=.)\|(?=[^ ])|(?<=[^ ])\|(?=.)/g, '\\|')),
  );
  return ['| command | option | meaning |', '|---|---|---|', ...rows].join('\n');
}
