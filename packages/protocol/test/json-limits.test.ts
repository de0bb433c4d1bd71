import { describe, expect, it } from 'vitest';
import { checkJsonDepth, escapeControl, jsonSyntaxReason, MAX_JSON_DEPTH } from '../src/index.js';
import { expectM2M } from './helpers.js';

describe('checkJsonDepth', () => {
  it('accepts nesting up to the limit and refuses one level more with 4000', () => {
    const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(() => checkJsonDepth(nested(MAX_JSON_DEPTH))).not.toThrow();
    expectM2M(() => checkJsonDepth(nested(MAX_JSON_DEPTH + 1)), 4000, 'deeper than 64 levels');
    expectM2M(() => checkJsonDepth(`{"a":${nested(5000)}}`), 4000, 'deeper');
  });
  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(() => checkJsonDepth(JSON.stringify({ s: '['.repeat(1000) }))).not.toThrow();
    expect(() => checkJsonDepth(JSON.stringify({ s: `\\"${'{'.repeat(1000)}` }))).not.toThrow();
  });
});

describe('escapeControl and jsonSyntaxReason', () => {
  it('escapes C0, C1, DEL and line separators', () => {
    expect(escapeControl('a\u001b[31m\nb\u0000\u007f\u0085\u2028')).toBe(
      'a\\u001b[31m\\u000ab\\u0000\\u007f\\u0085\\u2028',
    );
  });
  it('drops the excerpt of the input V8 puts in a JSON.parse message', () => {
    let err: unknown;
    try {
      JSON.parse('{"secret-body\u001b":x}');
    } catch (e) {
      err = e;
    }
    const reason = jsonSyntaxReason(err);
    expect(reason).not.toContain('secret-body');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    expect(reason).not.toMatch(/[\u0000-\u001f]/);
  });
});
