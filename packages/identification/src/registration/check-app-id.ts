// App-ID of a registering AE (TS-0001 Table 7.2-1, TS-0004 7.4.5.2.1): 'R' registered ('r' still
// allowed in Release 3), 'N' non-registered; anything else is 4000.
import { badRequest, show } from '../lib/errors.js';

/**
 * `release` is the request's rvi: the first-letter rule ('R', 'r' registered, 'N' non-registered App-ID)
 * applies from Release 3 on (TS-0004 7.4.5.2.1); a Release 2a registration only needs a well-formed string.
 */
export function checkAppId(appId: unknown, release = '3'): string {
  if (typeof appId !== 'string' || appId.length < 2) {
    badRequest(`App-ID (api) ${show(appId)} is missing or too short (TS-0001 Table 7.2-1)`);
  }
  const c = appId[0];
  if (release !== '2a' && c !== 'R' && c !== 'r' && c !== 'N') {
    badRequest(`App-ID (api) ${show(appId)} must start with 'R', 'r' or 'N' (TS-0004 7.4.5.2.1)`);
  }
  for (let i = 0; i < appId.length; i++) {
    const code = appId.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f)
      badRequest(`App-ID (api) ${show(appId)} contains whitespace or control characters`);
  }
  return appId;
}
