/** A refusal by the one-stop ledger (and REC-1's destructions): the API answers it as 404, 409, 403 or 400 naming `field`. */
export class OneStopError extends Error {
  constructor(readonly kind: 'not_found' | 'conflict' | 'invalid' | 'forbidden', message: string, readonly field?: string) {
    super(message);
  }
}

/** REC-1: 'onestop' (applications) or 'records' (the rest of the ledger, ledger/retention.ts). */
export type DestructionScope = 'onestop' | 'records';
