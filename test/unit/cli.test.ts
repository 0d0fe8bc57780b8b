import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { positionalLimit } from '../../src/cli/command.js';
import { COMMAND_MODULES, loadCommands, runCli } from '../../src/cli/program.js';
import { runSchemaflow } from '../support/cli.js';

async function cli(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { env, io: { out: (line) => out.push(line), err: (line) => err.push(line) } });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('the schemaflow CLI', () => {
  it('lists its commands with --help and exits 0', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: schemaflow <command>/m);
    for (const name of ['dev up', 'dev status', 'dev down']) expect(stdout).toContain(`  ${name}`);
  });

  it('names in its module table exactly the commands each module defines (only the invoked module is loaded)', async () => {
    for (const module of COMMAND_MODULES) expect((await module.load()).map((command) => command.name)).toEqual(module.names);
  });

  it('starts a command without loading the other commands\' dependencies', async () => {
    // `search` needs neither Kafka nor the GCS client for a file:// manifest.
    const probe = "const t = performance.now(); const { runCli } = await import('./dist/cli/program.js'); await runCli(['search', 'x', '--manifest-url', 'file:///nonexistent'], { env: {}, io: { out() {}, err() {} } }); const { createRequire } = await import('node:module'); const cache = Object.keys(createRequire(import.meta.url).cache); console.log(JSON.stringify({ kafkajs: cache.some((path) => path.includes('/node_modules/kafkajs/')), gcs: cache.some((path) => path.includes('/node_modules/@google-cloud/storage/')) }));";
    const result = await runSchemaflow(['--version']);
    expect(result.code).toBe(0);
    const { execFileSync } = await import('node:child_process');
    const loaded = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: new URL('../..', import.meta.url), encoding: 'utf8' })) as { kafkajs: boolean; gcs: boolean };
    expect(loaded).toEqual({ kafkajs: false, gcs: false });
  });

  it('says in its top-level help which exit codes every command may end with, 130/143 included', async () => {
    const commands = await loadCommands();
    const graceful = commands.filter((command) => command.stopsOnSignals !== undefined).map((command) => command.name);
    // The commands that install SIGINT/SIGTERM handlers (stopOnSignals) and exit 128 + the signal.
    expect(graceful).toEqual(['produce', 'flow run', 'flow close', 'demo']);
    const { stdout } = await cli(['--help']);
    expect(stdout.slice(stdout.indexOf('Exit codes:'))).toBe(
      ['Exit codes:', '  0        success', '  1        problems found, or the run failed', '  2        bad invocation or configuration', '  130/143  stopped by SIGINT/SIGTERM: produce, flow run, flow close and demo stop cleanly first (see their --help), the other commands end at once'].join('\n'),
    );
    // A group's help speaks of its own commands only.
    expect((await cli(['dev', '--help'])).stdout).toContain('\n  130/143  ended by SIGINT/SIGTERM (at once)');
    expect((await cli(['flow', '--help'])).stdout).toContain('\n  130/143  stopped by SIGINT/SIGTERM: flow run and flow close stop cleanly first (see their --help)');
    expect((await cli(['demo', '--help'])).stdout).toContain('Exit 130 or 143: stopped by SIGINT or SIGTERM: it stops the broker (and emulator) it started, unless --keep-services (a second signal ends it at once).');
    // Each graceful command's own help tells what a signal does; no other help speaks of 130 or 143.
    for (const command of commands) {
      const help = (await cli([...command.name.split(' '), '--help'])).stdout;
      expect({ command: command.name, says: /\b130\b/.test(help) && /\b143\b/.test(help) }).toEqual({ command: command.name, says: graceful.includes(command.name) });
    }
    expect((await cli(['flow', 'close', '--help'])).stdout).toContain('Exit 130 or 143: stopped by SIGINT or SIGTERM: it finishes closing the hours, then reports (a second signal ends it at once).');
    expect((await cli(['produce', '--help'])).stdout).toContain('Exit 130 or 143: stopped by SIGINT or SIGTERM: it stops reading, sends the valid lines read so far and reports the line to resume from (tail -n +N) (a second signal ends it at once).');
  });

  it('prints the package version', async () => {
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: version });
  });

  it('shows help on stderr and exits 2 when called with nothing', async () => {
    const { code, stderr } = await cli([]);
    expect(code).toBe(2);
    expect(stderr).toContain('Commands:');
  });

  it.each([
    [['frobnicate'], "schemaflow: error: unknown command 'frobnicate'"],
    [['--frobnicate'], "schemaflow: error: unknown option '--frobnicate'"],
    [['dev'], "schemaflow: error: 'dev' needs a subcommand: up, status, down"],
    [['dev', 'sideways'], "schemaflow: error: 'dev' needs a subcommand, not 'sideways': up, status, down"],
    [['dev', 'up', '--frobnicate'], "schemaflow: error: Unknown option '--frobnicate'"],
    [['dev', 'up', '--gcs-port'], "schemaflow: error: Option '--gcs-port <value>' argument missing"],
    [['dev', 'up', '--gcs-port', 'abc'], 'schemaflow: error: invalid configuration:\n  - --gcs-port="abc": expected a port number from 1 to 65535'],
  ])('rejects %j with one error style and exit 2', async (argv, message) => {
    const { code, stderr, stdout } = await cli(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.startsWith(message)).toBe(true);
    expect(stderr).toMatch(/run 'schemaflow .*--help' for (usage|the commands)$/);
  });

  it('refuses an argument beyond its usage in every command, naming it, before doing anything', async () => {
    const commands = (await Promise.all(COMMAND_MODULES.map((module) => module.load()))).flat();
    const unlimited = commands.filter((command) => positionalLimit(command.args) === Number.POSITIVE_INFINITY).map((command) => command.name);
    expect(unlimited).toEqual(['search']);
    for (const command of commands.filter((candidate) => !unlimited.includes(candidate.name))) {
      const filled = Array.from({ length: positionalLimit(command.args) }, (_, index) => `arg${index + 1}`);
      const { code, stdout, stderr } = await cli([...command.name.split(' '), ...filled, 'extra-arg']);
      expect({ command: command.name, code, stdout }).toEqual({ command: command.name, code: 2, stdout: '' });
      expect(stderr).toMatch(new RegExp(`^schemaflow: error: unexpected argument "extra-arg": schemaflow ${command.name} takes ${command.args ? 'only ' : 'no arguments'}`));
    }
    const { stderr } = await cli(['check', 'main', 'origin/main']);
    expect(stderr).toContain('unexpected arguments "main", "origin/main": schemaflow check takes no arguments, only options');
  });

  it.each([
    [undefined, 0],
    ['[dir]', 1],
    ['<old.json> <new.json>', 2],
    ['<subject> [file|-]', 2],
    ['<text…>', Number.POSITIVE_INFINITY],
    ['[files...]', Number.POSITIVE_INFINITY],
  ])('reads how many arguments %j allows: %d', (args, limit) => {
    expect(positionalLimit(args)).toBe(limit);
  });

  it('checks --format the same way in every command that has it, before doing anything', async () => {
    const positionals: Record<string, string[]> = { compat: ['old.json', 'new.json'], search: ['email'], show: ['apps-users'] };
    const commands = (await Promise.all(COMMAND_MODULES.map((module) => module.load()))).flat().filter((command) => command.options && 'format' in command.options);
    expect(commands.map((command) => command.name).sort()).toEqual(['check', 'compat', 'flow close', 'flow run', 'lake audit', 'plan', 'search', 'show']);
    for (const command of commands) {
      const { code, stdout, stderr } = await cli([...command.name.split(' '), ...(positionals[command.name] ?? []), '--format', 'xml']);
      expect({ command: command.name, code, stdout }).toEqual({ command: command.name, code: 2, stdout: '' });
      expect(stderr).toMatch(/^schemaflow: error: --format must be one of text, json(, github)?, not "xml"/);
    }
  });

  it('refuses an empty value for every option of every command, naming it, before doing anything', async () => {
    const { findSetting } = await import('../../src/config/settings.js');
    const commands = (await Promise.all(COMMAND_MODULES.map((module) => module.load()))).flat();
    let checked = 0;
    for (const command of commands) {
      const flags = [...Object.entries(command.options ?? {}).filter(([, spec]) => spec.type === 'string').map(([name]) => name), ...command.settings.flatMap((key) => findSetting(key).flag ?? [])];
      for (const flag of flags) {
        for (const empty of ['', '  ']) {
          const { code, stdout, stderr } = await cli([...command.name.split(' '), `--${flag}`, empty]);
          expect({ command: command.name, flag, code, stdout }).toEqual({ command: command.name, flag, code: 2, stdout: '' });
          expect(stderr, `${command.name} --${flag}`).toMatch(new RegExp(`^schemaflow: error: --${flag} was given an empty value: give <`));
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it.each([
    [['flow', 'run', '--shard', ''], '--shard was given an empty value: give <i/n>, or leave --shard out for its default (every partition)'],
    [['flow', 'run', '--subjects=', '--dry-run'], '--subjects was given an empty value: give <a,b>, or leave --subjects out for its default (all in the manifest)'],
    [['flow', 'close', '--allowed-lateness', ''], '--allowed-lateness was given an empty value: give <D>, or leave --allowed-lateness out for its default (15m)'],
    [['lake', 'audit', '--subject', '', '--lake', 'file:///nonexistent-schemaflow-lake'], '--subject was given an empty value: give <S>, or leave --subject out for its default (the whole lake)'],
    [['site', '--out', ''], '--out was given an empty value: give <dir>'],
    [['lake', 'audit', '--lake', ''], '--lake was given an empty value: give <value>, or leave --lake out for its default (file://./lake)'],
  ])('refuses the empty value of %j as a mistake, not the default', async (argv, message) => {
    const { code, stderr } = await cli(argv);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(`schemaflow: error: ${message}`);
  });

  // Regression: --retention 0s made every missing offset expired, so an emptied lake passed.
  it('refuses lake audit --retention of no age, exit 2', async () => {
    const { code, stderr } = await cli(['lake', 'audit', '--retention', '0d', '--lake', 'file:///nonexistent-schemaflow-lake']);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe('schemaflow: error: --retention must be longer than 0, not "0d": with no age, every missing offset would pass as expired');
  });

  // Regression: a directory passed the readability check, then the broker was contacted and the read failed with EISDIR (exit 1).
  it('refuses an events file that is a directory, exit 2, before loading the manifest or contacting a broker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'schemaflow-produce-'));
    const { code, stdout, stderr } = await cli(['produce', 'apps-users', dir, '--manifest-url', 'file:///nonexistent-schemaflow-manifests', '--brokers', '127.0.0.1:9']);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr.split('\n')[0]).toBe(`schemaflow: error: cannot read the events file ${dir}: it is a directory; give a file of one JSON event per line, or - for standard input`);
  });

  // Regression: `schemaflow help show` printed the list of commands.
  it('prints a command’s help for `help <command>`, as `<command> --help` does', async () => {
    const show = await cli(['help', 'show']);
    expect(show).toEqual({ ...(await cli(['show', '--help'])), code: 0 });
    expect(show.stdout).toMatch(/^Usage: schemaflow show <subject> \[options\]/);
    expect((await cli(['help', 'flow', 'run'])).stdout).toMatch(/^Usage: schemaflow flow run \[options\]/);
    expect((await cli(['help', 'dev'])).stdout).toContain('  dev status');
    expect((await cli(['help'])).stdout).toMatch(/^schemaflow: a GitOps schema catalog/);
    const unknown = await cli(['help', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("schemaflow: error: unknown command 'frobnicate'");
  });

  // Regression: --on-invalid ABORT was refused while --format JSON was accepted; --version 0x2 was read as 2.
  it.each([
    [['produce', 'apps-users', '/nonexistent-events', '--on-invalid', 'ABORT'], "cannot read the events file /nonexistent-events: ENOENT: no such file or directory, access '/nonexistent-events'"],
    [['produce', 'apps-users', '/nonexistent-events', '--on-invalid', 'later'], '--on-invalid must be one of skip, abort, not "later"'],
    [['produce', 'apps-users', '/nonexistent-events', '--version', '0x2'], '--version must be a positive whole number, not "0x2"'],
    [['produce', 'apps-users', '/nonexistent-events', '--version', '2.0'], '--version must be a positive whole number, not "2.0"'],
    [['show', 'apps-users', '--version', '1e1'], '--version must be a positive whole number, not "1e1"'],
    [['search', 'x', '--limit', '0'], '--limit must be a positive whole number, not "0"'],
    [['demo', '--events', '0x10'], '--events must be a positive whole number up to 100000, not "0x10"'],
  ])('reads word and number options one way in every command: %j', async (argv, message) => {
    const { code, stderr } = await cli(argv);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(`schemaflow: error: ${message}`);
  });

  it('documents each setting of a command with its variable and default', async () => {
    const { code, stdout } = await cli(['dev', 'up', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/--brokers <value> +Kafka bootstrap brokers.*\[env SCHEMAFLOW_KAFKA_BROKERS; default 127\.0\.0\.1:19092\]/);
    expect(stdout).toContain('--gcs-port <value>');
  });

  it('works as the installed bin', async () => {
    const help = await runSchemaflow(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('dev up');
    expect((await runSchemaflow(['--version'])).stdout.trim()).toBe(version);
    expect((await runSchemaflow(['nope'])).code).toBe(2);
  });

  it('names every missing tool and how to install it', async () => {
    const emptyPath = mkdtempSync(join(tmpdir(), 'schemaflow-no-tools-'));
    const { code, stderr } = await runSchemaflow(['dev', 'up'], {
      env: { PATH: emptyPath, HOME: emptyPath, SCHEMAFLOW_DEV_DIR: join(emptyPath, 'dev') },
    });
    expect(code).toBe(1);
    expect(stderr).toContain('TOOL_MISSING');
    expect(stderr).toMatch(/java was not found on PATH: install a Java 17\+ JDK/);
    expect(stderr).toMatch(/mvn was not found on PATH: install Apache Maven/);
    expect(stderr).toMatch(/go was not found on PATH: install Go/);
  });

  // Regression: a controller or emulator port equal to the broker's got past every check: Kafka's
  // storage format failed with a Java stack trace (exit 1), or the two services raced for the port.
  it('refuses the same port for two local services (exit 2, naming both settings), before anything starts', async () => {
    const home = mkdtempSync(join(tmpdir(), 'schemaflow-dev-ports-'));
    const env = { PATH: process.env.PATH, HOME: home, SCHEMAFLOW_DEV_DIR: join(home, 'dev') };
    const controller = await runSchemaflow(['dev', 'up', '--brokers', '127.0.0.1:29192', '--controller-port', '29192', '--gcs-port', '29443'], { env });
    expect(controller.code).toBe(2);
    expect(controller.stderr).toContain('the local services need a port each, but --brokers (SCHEMAFLOW_KAFKA_BROKERS) and --controller-port (SCHEMAFLOW_DEV_CONTROLLER_PORT) both give 29192: choose another for one of them');
    const gcs = await runSchemaflow(['demo', '--lake', 'gs://bkt/p', '--brokers', '127.0.0.1:29192', '--controller-port', '29193', '--gcs-port', '29192'], { env, cwd: home });
    expect(gcs.code).toBe(2);
    expect(gcs.stderr).toContain('--brokers (SCHEMAFLOW_KAFKA_BROKERS) and --gcs-port (SCHEMAFLOW_DEV_GCS_PORT) both give 29192');
    expect(existsSync(join(home, 'dev'))).toBe(false);
  });

  // Regression: with JAVA_HOME pointing at no JDK, dev up said "java was not found on PATH ... or
  // set JAVA_HOME", though java was on PATH and JAVA_HOME set: the one to fix went unnamed.
  it('names JAVA_HOME when the java it points at is missing', async () => {
    const home = mkdtempSync(join(tmpdir(), 'schemaflow-java-home-'));
    const { code, stderr } = await runSchemaflow(['dev', 'up'], {
      env: { PATH: process.env.PATH, HOME: home, JAVA_HOME: join(home, 'jdk-gone'), SCHEMAFLOW_DEV_DIR: join(home, 'dev'), SCHEMAFLOW_CACHE_DIR: join(home, 'cache') },
    });
    expect(code).toBe(1);
    expect(stderr).toContain(`${join(home, 'jdk-gone', 'bin', 'java')} was not found: JAVA_HOME=${join(home, 'jdk-gone')} names no Java 17+ JDK; point JAVA_HOME at one, or unset it to use the java on PATH`);
    expect(stderr).not.toContain('java was not found on PATH');
  });
});

describe('flow close and the positions group', () => {
  // A close records no positions: it neither takes the setting nor fails on a bad one.
  it('takes no --positions-group and never reads SCHEMAFLOW_POSITIONS_GROUP, which flow run reads', async () => {
    expect((await runSchemaflow(['flow', 'close', '--help'])).stdout).not.toContain('positions');
    expect((await runSchemaflow(['flow', 'run', '--help'])).stdout).toContain('--positions-group');
    const env = { PATH: process.env.PATH, SCHEMAFLOW_POSITIONS_GROUP: 'bad group', SCHEMAFLOW_MANIFEST_URL: 'file:///nonexistent-schemaflow/manifests' };
    const close = await runSchemaflow(['flow', 'close'], { env });
    expect(close.stderr).not.toContain('SCHEMAFLOW_POSITIONS_GROUP');
    expect(close.stderr).toContain('MANIFEST_UNREADABLE');
    const run = await runSchemaflow(['flow', 'run'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SCHEMAFLOW_POSITIONS_GROUP="bad group": expected a consumer group id');
  });
});
