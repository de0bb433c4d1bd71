// Configuration problems name the key path, what is allowed and the nearest key; values are never echoed.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { closestKey, describeConfigProblems } from '../src/index.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['log'],
  properties: {
    log: {
      type: 'object',
      additionalProperties: false,
      properties: { level: { enum: ['info', 'warn'] }, file: { type: 'string' } },
    },
    keyFile: { type: 'string' },
  },
};
const validate = new Ajv({ allErrors: true, verbose: true }).compile(schema);

describe('describeConfigProblems', () => {
  it('names a misspelt key, the allowed keys and the closest one, never the value', () => {
    expect(validate({ log: { levle: 'warn' }, keyfile: 'c2VjcmV0LXZhbHVl' })).toBe(false);
    const problems = describeConfigProblems(validate.errors!);
    expect(problems).toContain(
      "/log must NOT have additional properties: 'levle' is not a setting here (allowed: level, file); did you mean 'level'?",
    );
    expect(problems).toContain(
      "/ must NOT have additional properties: 'keyfile' is not a setting here (allowed: log, keyFile); did you mean 'keyFile'?",
    );
    expect(problems.join('\n')).not.toContain('c2VjcmV0LXZhbHVl');
  });

  it('lists the allowed values of an enum and where a required key goes', () => {
    expect(validate({ log: { level: 'verbose' } })).toBe(false);
    expect(describeConfigProblems(validate.errors!)).toEqual([
      '/log/level must be equal to one of the allowed values: "info", "warn"',
    ]);
    expect(validate({})).toBe(false);
    expect(describeConfigProblems(validate.errors!)).toEqual([
      "/ must have required property 'log' (add 'log' under /)",
    ]);
  });

  it('suggests nothing when no key is close', () => {
    expect(closestKey('zzzzzz', ['level', 'file'])).toBeUndefined();
    expect(closestKey('Level', ['level', 'file'])).toBe('level');
  });
});
