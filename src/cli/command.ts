import { UsageError } from '../domain/errors.js';
import type { Config, SettingSource } from '../config/resolve.js';
import { ENVIRONMENT_SETTINGS, findSetting, type SettingKey } from '../config/settings.js';

/** Where a command writes: results to `out` (stdout), progress and problems to `err` (stderr). */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly description: string;
  readonly valueName?: string;
}

type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** Parsed option values, typed by their specs: a string option gives a string, a boolean one a boolean. */
export type OptionValues<O extends OptionSpecs> = { readonly [N in keyof O]?: OptionValue<O[N]['type']> };
type OptionValue<T extends OptionSpec['type']> = T extends 'string' ? string : boolean;

/** What a command receives: parsed arguments, resolved settings and its I/O. */
export interface CommandInput<K extends SettingKey, O extends OptionSpecs = OptionSpecs> {
  readonly positionals: readonly string[];
  readonly options: OptionValues<O>;
  readonly config: Pick<Config, K>;
  /** Where each setting's value came from: its flag, its variable or the default. */
  readonly sources: Readonly<Record<K, SettingSource>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly io: Io;
}

/** One CLI command. `run` returns the exit code. */
export interface Command<K extends SettingKey = SettingKey, O extends OptionSpecs = OptionSpecs> {
  /** Words after `schemaflow`, e.g. `dev up`. */
  readonly name: string;
  readonly summary: string;
  /**
   * Positional arguments as shown in usage, e.g. `<subject> [file|-]`; also how many the command
   * takes (one per word, any number after a word ending in `…`). Without it, none.
   */
  readonly args?: string;
  /** Settings the command reads; each brings its flag. */
  readonly settings: readonly K[];
  readonly options?: O;
  /** Longer help: what it does, exit codes. */
  readonly details?: string;
  /**
   * For a command the first SIGINT or SIGTERM stops gracefully: what it does then, before it
   * exits 130 or 143 (the shell's 128 + the signal's number), e.g. `it stops reading and commits
   * what it read, then reports`. Every other command ends at once on those signals, which a shell
   * reports with the same codes. The top-level help and the command's say so from this.
   */
  readonly stopsOnSignals?: string;
  /** Registration (it publishes the manifest where it reads it): a manifest it cannot read is explained as registration's (manifestHint). */
  readonly registration?: boolean;
  run(input: CommandInput<K, O>): Promise<number>;
}

/** Declares a command with its settings' and options' types checked. */
export function defineCommand<K extends SettingKey, const O extends OptionSpecs = Record<never, OptionSpec>>(command: Command<K, O>): Command {
  return command;
}

/**
 * The value of an option that takes one of a few words (`--format json`), matched without
 * regard to case and returned as `allowed` spells it; the fallback when the option is absent.
 */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, flag: string): T {
  if (value === undefined) return fallback;
  const found = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
  if (found === undefined) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
  return found;
}

/**
 * The value of an option that takes a whole number from 1 to `max` (`--version 2`), written in
 * decimal digits only (`0x2`, `2.0` and `1e1` are refused, not read as numbers); the fallback
 * when the option is absent.
 */
export function positiveInteger(value: string | undefined, flag: string, fallback: number, max?: number): number {
  if (value === undefined) return fallback;
  const number = /^[1-9]\d*$/.test(value) ? Number(value) : NaN;
  if (!(number <= (max ?? Number.MAX_SAFE_INTEGER))) throw new UsageError(`--${flag} must be a positive whole number${max === undefined ? '' : ` up to ${max}`}, not ${JSON.stringify(value)}`);
  return number;
}

/** The `--format` words of commands that print a report for people or as JSON. */
const OUTPUT_FORMATS = ['text', 'json'] as const;

/** The `--format text|json` option of those commands, and the word it was given. */
export const FORMAT_OPTION = { type: 'string', valueName: OUTPUT_FORMATS.join('|'), description: 'output format [default: text]' } as const satisfies OptionSpec;
export const outputFormat = (value: string | undefined): (typeof OUTPUT_FORMATS)[number] => oneOf(value, OUTPUT_FORMATS, 'text', 'format');

/** The most positional arguments a command's usage (`args`) allows: one per word, unlimited after `…`. */
export function positionalLimit(args: string | undefined): number {
  const words = args?.split(/\s+/).filter(Boolean) ?? [];
  return words.some((word) => /(…|\.\.\.)[\]>]?$/.test(word)) ? Number.POSITIVE_INFINITY : words.length;
}

/**
 * The `--env <name>` option of a command that reads `settings`: a catalog.yaml environment, whose
 * values of the settings an environment can name (ENVIRONMENT_SETTINGS) stand in for their
 * defaults (runCli reads the environment for every command that reads one of them); `uses` says
 * what else the command takes from the environment (register's topic overrides).
 */
export function environmentOption(settings: readonly SettingKey[], uses?: string): { readonly type: 'string'; readonly valueName: string; readonly description: string } {
  const named = ENVIRONMENT_SETTINGS.filter((key) => settings.includes(key));
  const list = (words: readonly string[]): string => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1) ?? ''}`);
  const flags = named.map((key) => `--${findSetting(key).flag ?? key}`).join(', ');
  const variables = named.length === 1 ? named.map((key) => findSetting(key).env).join('') : 'their variables';
  const locations = `its ${list(named)} in place of the default${named.length > 1 ? 's' : ''} (${flags} and ${variables} win)`;
  return { type: 'string', valueName: 'name', description: `a catalog.yaml environment: ${uses ? `${uses}, and ` : ''}${locations}` };
}

/**
 * The settings a command takes flags for: its own, and the catalog directory (`--catalog`) when
 * it takes `--env` for a location, as `--env` reads `<catalog>/catalog.yaml`. That directory is
 * resolved only when `--env` is given, so a bad SCHEMAFLOW_CATALOG_DIR cannot stop a command
 * that never reads it.
 */
export function flagSettings(command: Command): readonly SettingKey[] {
  return readsLocation(command) && command.options?.env !== undefined && !command.settings.includes('catalogDir') ? [...command.settings, 'catalogDir'] : command.settings;
}

/** Whether a command reads a setting a catalog.yaml environment can name (ENVIRONMENT_SETTINGS). */
export function readsLocation(command: Command): boolean {
  return command.settings.some((key) => (ENVIRONMENT_SETTINGS as readonly SettingKey[]).includes(key));
}
