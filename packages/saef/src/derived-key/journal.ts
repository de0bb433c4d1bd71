// Write-ahead journal of accepted DerivedKey sequence numbers. Node's pskCallback is synchronous, the
// store is not: an acceptance is appended here with O_DSYNC inside the callback, before the key is
// returned, so no handshake can complete on a sequence number a crash could forget. The store
// Collection holds the compacted window; the journal is replayed into it at start, then emptied.
import { closeSync, constants, fdatasyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { SaefError } from '../lib/errors.js';

export interface JournalEntry {
  taId: string;
  sequenceNumber: bigint;
}

export class AcceptJournal {
  #fd: number;
  #appended = 0;
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
    // O_DSYNC: each write returns only once its data is on stable storage (one syscall, no separate fsync).
    const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC, 0o600);
    return { journal: new AcceptJournal(path, fd), entries };
  }

  /** Appends and syncs; throws SaefError DK_JOURNAL when the disk refuses (the caller fails closed). */
  append(e: JournalEntry): void {
    try {
      writeSync(this.#fd, `A ${e.taId} ${e.sequenceNumber}\n`);
      this.#appended++;
    } catch (err) {
      throw new SaefError('DK_JOURNAL', `write-ahead journal append failed: ${(err as Error).message}`);
    }
  }

  /** How many entries were appended since open (a snapshot compares it before truncating). */
  get appended(): number {
    return this.#appended;
  }

  /** Empties the journal once a snapshot holding every entry is durable. */
  truncate(): void {
    ftruncateSync(this.#fd, 0);
    fdatasyncSync(this.#fd);
  }

  close(): void {
    closeSync(this.#fd);
  }
}
