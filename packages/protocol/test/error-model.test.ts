// protocol's one error model (docs/errors.md): what a client learns of any failure, and the log line.
import { describe, expect, it } from 'vitest';
import {
  clientErrorOf,
  describeErrorForLog,
  errorLogFields,
  INTERNAL_CODE,
  INTERNAL_MESSAGE,
  M2MError,
  M2msecError,
  ResponseStatusCode,
} from '../src/index.js';

describe('clientErrorOf', () => {
  it('an M2msecError keeps its code, rsc and message', () => {
    expect(clientErrorOf(new M2msecError('MAF_UNAVAILABLE', 5103, 'the MAF does not answer'))).toEqual({
      code: 'MAF_UNAVAILABLE',
      rsc: 5103,
      message: 'the MAF does not answer',
      internal: false,
    });
    expect(clientErrorOf(new M2MError(ResponseStatusCode.NOT_FOUND, 'no such resource')).code).toBe('NOT_FOUND');
  });

  it('anything else is 5000 INTERNAL with a fixed text, whatever its own message says', () => {
    for (const e of [new TypeError('Cannot read properties of undefined'), new Error('/srv/db: disk I/O'), 'x', null]) {
      expect(clientErrorOf(e)).toEqual({
        code: INTERNAL_CODE,
        rsc: ResponseStatusCode.INTERNAL_SERVER_ERROR,
        message: INTERNAL_MESSAGE,
        internal: true,
      });
    }
  });
});

describe('describeErrorForLog / errorLogFields', () => {
  it('carries the code, the class and the error own code; never the stack', () => {
    const e = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const f = errorLogFields(e);
    expect(f).toEqual({ code: 'INTERNAL', rsc: 5000, error: 'Error SQLITE_BUSY: database is locked' });
    expect(JSON.stringify(f)).not.toContain(' at ');
  });

  it('never the input an error quotes: a JSON.parse excerpt, a quoted value, a serialized row', () => {
    const secret = 'BODY-MARKER-4711';
    let parseError: unknown;
    try {
      JSON.parse(`x${secret}`);
    } catch (e) {
      parseError = e;
    }
    const quoting = [
      parseError,
      new Error(`cannot store row {"rn":"${secret}"}`),
      new Error(`bad value '${secret}' for lbl`),
      new Error(`bad value "${secret}"`),
      new Error(`list [${secret}]`),
    ];
    for (const e of quoting) {
      const line = describeErrorForLog(e);
      expect(line, line).not.toContain(secret);
      expect(line).toMatch(/^(Syntax)?Error: /);
    }
  });

  it('an M2msecError logs its client message (written for clients) and code', () => {
    const f = errorLogFields(new M2msecError('DK_JOURNAL', 5000, 'the replay journal cannot be written'));
    expect(f.code).toBe('DK_JOURNAL');
    expect(f.error).toBe('M2msecError DK_JOURNAL: the replay journal cannot be written');
  });

  it('escapes control characters (no forged log lines)', () => {
    expect(describeErrorForLog(new Error('a\nb'))).toBe('Error: a\\u000ab');
  });
});
