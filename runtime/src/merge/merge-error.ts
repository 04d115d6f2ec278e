// An error the merger itself raises (not one a shard sent): becomes one ErrorResponse.
export class MergeError extends Error {
  constructor(readonly sqlstate: string, message: string) {
    super(message);
  }
}

export const MergeSqlState = {
  FeatureNotSupported: '0A000',
  NumericValueOutOfRange: '22003',
  InvalidRowCountInLimitClause: '2201W',
  InvalidRowCountInResultOffsetClause: '2201X',
  DatatypeMismatch: '42804',
  InternalError: 'XX000',
} as const;
