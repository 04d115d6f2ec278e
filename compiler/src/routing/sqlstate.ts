// SQLSTATEs the router puts in `blocked` (PostgreSQL's errcodes.txt names).
export const RouteSqlState = {
  /** A `route = "block"` rule (SPEC §3.1). */
  InsufficientPrivilege: '42501',
  /** cross_shard_disabled and the statement needs several shards; a statement pgdog cannot run
   *  correctly over shards (sharding-key UPDATE, INSERT without a usable key, unmergeable SELECT). */
  FeatureNotSupported: '0A000',
  /** A routing hint that names a shard the database does not have, or an unusable value. */
  InvalidParameterValue: '22023',
  /** The database is not in the routing table. */
  InvalidCatalogName: '3D000',
} as const;
