/**
 * `coffer --help`, `coffer CMD --help`, `coffer help CMD`, `--version`, and the suggestions for
 * unknown commands and options: every command's help is checked against its own option specs,
 * and every option its examples use must be one it has, so the help cannot drift from the code.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { COMMANDS, runCli } from '../../src/cli/main.js';
import { CapturedIo } from '../helpers/captured-io.js';

/** No store is ever opened for help: a data directory that cannot exist proves it. */
const ENV = { COFFER_DATA_DIR: '/nonexistent/never/created' };
const VERSION = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

async function cli(...args: string[]) {
  const io = new CapturedIo();
  const code = await runCli(args, ENV, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** The options an example passes to its coffer command (up to a shell operator, comment or `--`). */
function exampleOptions(example: string, name: string): string[] {
  // Shell quoting and command substitution around the command itself: eval "$(coffer env)".
  const words = example.split(/\s+/).map((w) => w.replace(/^["'$(]+|[)"']+$/g, ''));
  const start = words.findIndex((w, i) => w === 'coffer' && words[i + 1] === name);
  assert.ok(start >= 0, `example "${example}" does not run coffer ${name}`);
  const options: string[] = [];
  for (const word of words.slice(start + 2)) {
    if (['&&', '||', '|', ';', '#', '--'].includes(word) || /^[<>]|^\d?>/.test(word)) break;
    const option = /^--([a-z][a-z-]*)(=|$)/.exec(word);
    if (option) options.push(option[1]!);
  }
  return options;
}

describe('coffer help', () => {
  it('lists every command, in groups, with Secrets Manager named, without opening a store', async () => {
    const { code, stdout } = await cli('--help');
    assert.equal(code, 0);
    for (const command of COMMANDS) {
      const line = stdout.split('\n').find((l) => l.startsWith(`  ${command.name} `));
      assert.ok(line?.endsWith(command.summary), `${command.name} is listed with its summary`);
    }
    assert.match(stdout, /Secrets Manager/);
    assert.equal((await cli()).stdout, stdout);
    assert.equal((await cli('help')).stdout, stdout);
  });

  for (const command of COMMANDS) {
    it(`coffer ${command.name} --help: usage, every option described, examples that use only its options`, async () => {
      const help = await cli(command.name, '--help');
      assert.equal(help.code, 0, help.stderr);
      assert.equal(help.stderr, '');
      assert.match(help.stdout, new RegExp(`^coffer ${command.name}: `));
      assert.ok(command.usage.startsWith(`coffer ${command.name}`), command.usage);
      assert.ok(help.stdout.includes(`Usage: ${command.usage}\n`));
      for (const [name, spec] of Object.entries(command.options)) {
        assert.ok(spec.description.length > 10, `--${name} is described`);
        const line = help.stdout.split('\n').find((l) => l.includes(`--${name}`) && l.includes(spec.description));
        assert.ok(line, `--${name} and its description are in the help`);
      }
      assert.ok(command.examples.length > 0, 'at least one example');
      assert.match(help.stdout, /\nExamples:\n {2}/);
      for (const example of command.examples)
        for (const option of exampleOptions(example, command.name))
          assert.ok(
            option in command.options || option === 'endpoint' || option === 'help',
            `example "${example}" uses --${option}, which coffer ${command.name} does not have`,
          );
      assert.deepEqual(await cli('help', command.name), help);
      assert.deepEqual(await cli(command.name, '-h'), help);
    });
  }

  it('prints the version with --version, -v and version', async () => {
    for (const flag of ['--version', '-v', 'version']) {
      const { code, stdout } = await cli(flag);
      assert.equal(code, 0);
      assert.equal(stdout, `coffer ${VERSION}\n`);
    }
  });

  it('names an unknown command and suggests the nearest', async () => {
    const typo = await cli('pt', '/x', 'v');
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown command pt \(did you mean coffer put\?\)/);
    const far = await cli('frobnicate');
    assert.equal(far.code, 2);
    assert.doesNotMatch(far.stderr, /did you mean/);
    assert.equal((await cli('help', 'frobnicate')).code, 2);
  });

  it('names an unknown option, suggests the nearest, and shows the usage line', async () => {
    const typo = await cli('put', '/x', 'v', '--tpye', 'String');
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /^coffer put: unknown option --tpye \(did you mean --type\?\)\nUsage: coffer put /);
    const missing = await cli('put', '/x', 'v', '--type');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /option --type needs a value/);
  });

  it('shows the help of a command even after other arguments, but not after --', async () => {
    assert.equal((await cli('put', '/x', '--help')).code, 0);
    // exec passes everything after -- to the child: --help there is the child's.
    const exec = await cli('exec', '/nothing', '--', 'true', '--help');
    assert.doesNotMatch(exec.stdout, /^coffer exec:/);
  });
});
