// @m2msec/node/cli: the help text names the program, its version and options; a strict command line
// refuses an unknown option with a usage error that points at --help.
import { describe, expect, it } from 'vitest';
import { helpText, noArguments, type Program, parseCommandLine, UsageError } from '../src/cli.js';

const program: Program = {
  name: 'm2msec-test',
  packageJson: new URL('../package.json', import.meta.url),
  summary: 'a test program',
  usage: ['add --id <ID> [--bind <ID>]...'],
  options: {
    id: { type: 'string', value: '<ID>', description: 'the ID' },
    bind: { type: 'string', multiple: true, value: '<ID>', description: 'an ID to bind' },
  },
};

describe('cli', () => {
  it('help: name, version, usage, every option with --help and --version', () => {
    const text = helpText(program);
    expect(text).toMatch(/^m2msec-test 0\.1\.0: a test program\n/);
    expect(text).toContain('  m2msec-test add --id <ID> [--bind <ID>]...');
    expect(text).toMatch(/--id <ID>\s+the ID\n/);
    expect(text).toMatch(/--bind <ID>\s+an ID to bind \(repeatable\)\n/);
    expect(text).toMatch(/-h, --help\s+print this help and exit/);
    expect(text).toMatch(/-V, --version\s+print the version and exit/);
  });

  it('parses options and positionals; refuses an unknown option, naming --help', () => {
    const r = parseCommandLine(program, ['add', '--id', 'k1', '--bind', 'Ca', '--bind', 'Cb']);
    expect(r.positionals).toEqual(['add']);
    expect(r.values).toEqual({ id: 'k1', bind: ['Ca', 'Cb'] });
    expect(() => parseCommandLine(program, ['--key-hex', '00'])).toThrow(UsageError);
    expect(() => parseCommandLine(program, ['--key-hex', '00'])).toThrow(/m2msec-test --help/);
    expect(() => noArguments({ ...program, options: {} }, ['start'])).toThrow(/unexpected argument 'start'/);
  });
});
