// The command line of every program in apps/ (issue 19 item 4): one parser, node's util.parseArgs
// (maintained with Node itself, no dependency; README says why it suffices). Every program answers
// --help (usage, options, exit 0, starts nothing) and --version before it reads a configuration or opens
// anything; programs with options of their own parse them with parseCommandLine.
import { readFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';

export interface CliOption {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Shown in --help after the option, e.g. '<file|->'. */
  value?: string;
  description: string;
}

export interface Program {
  /** The bin name, e.g. 'm2msec-in-cse'. */
  name: string;
  /** URL of the program's package.json (new URL('../package.json', import.meta.url)): the version. */
  packageJson: URL;
  /** One line: what the program is. */
  summary: string;
  /** Usage lines after the name, e.g. ['[options]'] or ['add-psk --id <KpsaID> --key-file <file|->']. */
  usage?: string[];
  options?: Record<string, CliOption>;
  /** Further help text: environment variables, configuration, where the docs are. */
  details?: string;
}

/** A command line the program cannot run with: the message goes to stderr with a hint, exit code 2. */
export class UsageError extends Error {}

export function versionOf(p: Program): string {
  return (JSON.parse(readFileSync(p.packageJson, 'utf8')) as { version: string }).version;
}

export function helpText(p: Program): string {
  const lines = [`${p.name} ${versionOf(p)}: ${p.summary}`, '', 'Usage:'];
  for (const u of p.usage ?? ['[options]']) lines.push(`  ${p.name} ${u}`);
  const opts: Array<[string, string]> = Object.entries(p.options ?? {}).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`,
    `${o.description}${o.multiple ? ' (repeatable)' : ''}`,
  ]);
  opts.push(['-h, --help', 'print this help and exit'], ['-V, --version', 'print the version and exit']);
  const width = Math.max(...opts.map(([l]) => l.length));
  lines.push('', 'Options:', ...opts.map(([l, d]) => `  ${l.padEnd(width)}  ${d}`));
  if (p.details) lines.push('', p.details.trimEnd());
  return `${lines.join('\n')}\n`;
}

/**
 * --help / --version anywhere before '--': print and exit 0 (nothing else runs). Other arguments are
 * left to the program, so its existing command line keeps its meaning.
 */
export function answerHelpAndVersion(p: Program, argv: readonly string[] = process.argv.slice(2)): void {
  const { tokens } = parseArgs({ args: [...argv], strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens ?? []) {
    if (t.kind === 'option-terminator') return;
    if (t.kind !== 'option') continue;
    if (t.name === 'help' || t.name === 'h') {
      process.stdout.write(helpText(p));
      process.exit(0);
    }
    if (t.name === 'version' || t.name === 'V') {
      process.stdout.write(`${versionOf(p)}\n`);
      process.exit(0);
    }
  }
}

/**
 * The program's options, strictly: an unknown option or a missing value is a UsageError naming it.
 * --help / --version are answered first (answerHelpAndVersion).
 */
export function parseCommandLine(
  p: Program,
  argv: readonly string[] = process.argv.slice(2),
): { values: Record<string, string | boolean | string[] | boolean[] | undefined>; positionals: string[] } {
  answerHelpAndVersion(p, argv);
  const options: ParseArgsConfig['options'] = {};
  for (const [name, o] of Object.entries(p.options ?? {})) {
    options[name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
  }
  try {
    const r = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    return {
      values: r.values as Record<string, string | boolean | string[] | boolean[] | undefined>,
      positionals: r.positionals,
    };
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (see ${p.name} --help)`);
  }
}

/** For a program that takes no arguments besides --help / --version: anything else is a usage error. */
export function noArguments(p: Program, argv: readonly string[] = process.argv.slice(2)): void {
  const { positionals } = parseCommandLine(p, argv);
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (see ${p.name} --help)`);
}
