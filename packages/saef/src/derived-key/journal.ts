// Write-ahead journal of accepted DerivedKey sequence numbers. An acceptance is appended here (a
// write(2) into the page cache) when the handshake has completed — on 'secureConnection', after the
// Finished messages proved K_RS-C, never in the pskCallback — and before the session can serve a
// request, so a process crash can never forget it. Stable storage comes from a group commit: one
// fdatasync covers every append since the last one, and no request of a session is served before its
// acceptance is on disk (durableAfter / the resource server's gate). A power loss can therefore only
// lose acceptances of sessions that never served a request; accepting such a sequence number again
// after restart grants nothing that was granted before.
// The store Collection holds the compacted window; the journal is replayed into it at start, then emptied.
import {
  closeSync,
  constants,
  fdatasync,
  fdatasyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { SaefError } from '../lib/errors.js';

export interface JournalEntry {
  taId: string;
  sequenceNumber: bigint;
}

export class AcceptJournal {
  #fd: number;
  #appended = 0;
  #synced = 0;
  #flushing = false;
  #waiters: Array<{ n: number; resolve: () => void; reject: (e: Error) => void }> = [];
  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.#fd = fd;
  }

  static open(path: string): { journal: AcceptJournal; entries: JournalEntry[] } {
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const entries: JournalEntry[] = [];
    for (const line of text.split('\n')) {
      // A torn last line (crash mid-write) was never fsync'd, so its handshake never completed.
      const m = /^A ([A-Za-z0-9_-]{1,64}) (0|[1-9][0-9]{0,19})$/.exec(line);
      if (m) entries.push({ taId: m[1]!, sequenceNumber: BigInt(m[2]!) });
    }
    const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
    return { journal: new AcceptJournal(path, fd), entries };
  }

  /**
   * Appends (survives a process crash at once); returns the entry's ordinal for durableAfter.
   * Throws SaefError DK_JOURNAL when the write fails (the caller fails closed).
   */
  append(e: JournalEntry): number {
    try {
      writeSync(this.#fd, `A ${e.taId} ${e.sequenceNumber}\n`);
    } catch (err) {
      throw new SaefError('DK_JOURNAL', `write-ahead journal append failed: ${(err as Error).message}`);
    }
    return ++this.#appended;
  }

  /** Resolves once entry `n` is on stable storage (group commit); rejects if the sync fails. */
  durableAfter(n: number): Promise<void> {
    if (n <= this.#synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ n, resolve, reject });
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    const target = this.#appended;
    fdatasync(this.#fd, (err) => {
      this.#flushing = false;
      if (!err) this.#synced = Math.max(this.#synced, target);
      const waiting = this.#waiters;
      this.#waiters = [];
      for (const w of waiting) {
        if (w.n <= this.#synced) w.resolve();
        else if (err && w.n <= target)
          w.reject(new SaefError('DK_JOURNAL', `write-ahead journal sync failed: ${err.message}`));
        else this.#waiters.push(w);
      }
      if (this.#waiters.length > 0) this.#flush();
    });
  }

  /** How many entries were appended since open (a snapshot compares it before truncating). */
  get appended(): number {
    return this.#appended;
  }

  /** Empties the journal once a snapshot holding every entry is durable. */
  truncate(): void {
    ftruncateSync(this.#fd, 0);
    fdatasyncSync(this.#fd);
    // The snapshot that allowed truncating holds every entry so far: all of them are durable.
    this.#synced = this.#appended;
  }

  close(): void {
    closeSync(this.#fd);
  }
}
