/**
 * Rules on who signs: a usable threshold over a set of parties, and a
 * signing attempt's commitment list checked against the key before any
 * arithmetic (as frost-rs round2::sign does; RFC 9591 §5.2 "commitment_list").
 */

/** Why `threshold` is not a usable threshold over `parties` signers (an integer 2..parties), or undefined. */
export function thresholdProblem(threshold: number, parties: number): string | undefined {
  return Number.isInteger(threshold) && threshold >= 2 && threshold <= parties ? undefined : `threshold must be 2..${parties}, got ${threshold}`;
}

/** What a commitment-list check needs of a key share: its name, thresholds, enrolled signers and own identifier. */
export interface SignerSetKey {
  name: string;
  /** This share holder's identifier. */
  identifier: number;
  minSigners: number;
  maxSigners: number;
  /** The enrolled signers (identifier → verifying share). */
  verifyingShares: Readonly<Record<number, unknown>>;
}

/**
 * Checks a commitment list against a key: sorted, unique, enough signers,
 * all enrolled, and this share holder's own entry present. Returns the
 * problem, or undefined.
 */
export function checkCommitmentList(list: ReadonlyArray<{ identifier: number }>, key: SignerSetKey): string | undefined {
  if (list.length < key.minSigners) return `commitment list has ${list.length} signers, key ${key.name} needs ${key.minSigners}`;
  if (list.length > key.maxSigners) return `commitment list has ${list.length} signers, key ${key.name} has only ${key.maxSigners} shares`;
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (i > 0 && c.identifier <= list[i - 1]!.identifier) return 'commitment list must be sorted by identifier with no duplicates';
    if (!(c.identifier in key.verifyingShares)) return `commitment list names signer ${c.identifier}, which holds no share of key ${key.name}`;
  }
  if (!list.some((c) => c.identifier === key.identifier))
    return `commitment list does not contain an unused commitment of this node (identifier ${key.identifier})`;
  return undefined;
}
