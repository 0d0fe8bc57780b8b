import type { Config } from '../config/resolve.js';
import type { SettingKey } from '../config/settings.js';

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

/** What a command receives: parsed arguments, resolved settings and its I/O. */
export interface CommandInput<K extends SettingKey> {
  readonly positionals: readonly string[];
  readonly options: Readonly<Record<string, string | boolean | undefined>>;
  readonly config: Pick<Config, K>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly io: Io;
}

/** One CLI command. `run` returns the exit code. */
export interface Command<K extends SettingKey = SettingKey> {
  /** Words after `schemaflow`, e.g. `dev up`. */
  readonly name: string;
  readonly summary: string;
  /** Positional arguments as shown in usage, e.g. `<subject> [file|-]`. */
  readonly args?: string;
  /** Settings the command reads; each brings its flag. */
  readonly settings: readonly K[];
  readonly options?: Readonly<Record<string, OptionSpec>>;
  /** Longer help: what it does, exit codes. */
  readonly details?: string;
  run(input: CommandInput<K>): Promise<number>;
}

/** Declares a command with its settings' types checked. */
export function defineCommand<K extends SettingKey>(command: Command<K>): Command {
  return command;
}
