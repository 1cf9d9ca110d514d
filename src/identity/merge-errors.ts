/**
 * Why a merge or unmerge cannot be done; `field` names the input at fault (for a 4xx), never a
 * value.
 */
export type MergeRefusal =
  | 'same_customer'
  | 'customer_not_found'
  | 'customer_merged'
  | 'merge_not_found'
  | 'merge_not_applied'
  | 'survivor_merged';

export class MergeError extends Error {
  constructor(
    readonly code: MergeRefusal,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'MergeError';
  }
}

/** resolveCustomer was given nothing it can resolve (no identifier, or only placeholder values). */
export class NoIdentifierError extends Error {
  constructor(readonly fields: string[]) {
    super('no usable identifier');
    this.name = 'NoIdentifierError';
  }
}

/**
 * The identifiers resolve to a customer whose erasure has begun or is done (src/privacy's
 * tombstone): nothing is created or merged, so an erased person is not brought back.
 */
export class ErasedCustomerError extends Error {
  constructor(readonly field: string) {
    super('the identifiers name an erased customer');
    this.name = 'ErasedCustomerError';
  }
}
