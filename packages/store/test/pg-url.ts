import pg from 'pg';

/** The test database: M2MSEC_PG_URL (set by scripts/test.sh for its private server) or the local default. */
export const PG_URL = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Host and port only, for messages (the URL may carry a password). */
export function pgWhere(url = PG_URL): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(unparsable M2MSEC_PG_URL)';
  }
}

/** Connects once; throws an actionable error when no server answers (the suite then fails, never skips). */
export async function pgAdmin(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(
      `PostgreSQL not reachable at ${pgWhere()} (${(e as Error).message}); start one or set M2MSEC_PG_URL ` +
        '(scripts/test.sh starts a private server)',
    );
  }
  client.on('error', () => undefined);
  return client;
}
