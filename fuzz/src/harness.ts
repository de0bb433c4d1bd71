// A fuzz harness: one parser or decoder that takes bytes from the network or a peer, the inputs to throw
// at it, and what counts as its documented refusal. Anything else it throws (a TypeError, a stack overflow,
// a 5000 where the input was at fault) is a finding.
import type { Arbitrary } from 'fast-check';

export interface Harness<T = unknown> {
  /** Short name, used by `pnpm fuzz --only`. */
  name: string;
  /** The parser(s) it drives, as a reader would look them up. */
  parses: string;
  input: Arbitrary<T>;
  /** Makes keys or seeds the inputs need (before the first case). */
  setup?(): Promise<void>;
  /** One case; may be async. Returning normally means the input was accepted. */
  run(input: T): unknown;
  /** Whether an error is the parser's documented refusal of bad input. */
  refusal(e: unknown): boolean;
}

/** Declares a harness with its input type inferred. */
export const harness = <T>(h: Harness<T>): Harness<T> => h;
