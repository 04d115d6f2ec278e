// SQLSTATE codes a pooler sends or inspects (PostgreSQL Appendix A). Call sites use the names, never
// the five-character strings.

export const SqlState = {
  SuccessfulCompletion: '00000',
  Warning: '01000',
  // Class 08: connection exception
  ConnectionException: '08000',
  ConnectionDoesNotExist: '08003',
  ConnectionFailure: '08006',
  SqlClientUnableToEstablishSqlConnection: '08001',
  SqlServerRejectedEstablishmentOfSqlConnection: '08004',
  ProtocolViolation: '08P01',
  // Class 0A: feature not supported
  FeatureNotSupported: '0A000',
  // Class 22: data exception
  InvalidParameterValue: '22023',
  CharacterNotInRepertoire: '22021',
  // Class 25: invalid transaction state
  ActiveSqlTransaction: '25001',
  InFailedSqlTransaction: '25P02',
  IdleInTransactionSessionTimeout: '25P03',
  ReadOnlySqlTransaction: '25006',
  // Class 26 / 34: prepared statement and cursor names (26000 is also "prepared statement does not exist")
  InvalidSqlStatementName: '26000',
  InvalidCursorName: '34000',
  // Class 28: invalid authorization specification
  InvalidAuthorizationSpecification: '28000',
  InvalidPassword: '28P01',
  // Class 3D: invalid catalog name (unknown database)
  InvalidCatalogName: '3D000',
  // Class 40: transaction rollback
  SerializationFailure: '40001',
  DeadlockDetected: '40P01',
  // Class 42: syntax error or access rule violation
  SyntaxError: '42601',
  InsufficientPrivilege: '42501',
  UndefinedObject: '42704',
  DuplicatePreparedStatement: '42P05',
  // Class 53: insufficient resources
  InsufficientResources: '53000',
  OutOfMemory: '53200',
  TooManyConnections: '53300',
  ConfigurationLimitExceeded: '53400',
  // Class 54: program limit exceeded
  ProgramLimitExceeded: '54000',
  // Class 55: object not in prerequisite state
  ObjectNotInPrerequisiteState: '55000',
  LockNotAvailable: '55P03',
  // Class 57: operator intervention
  OperatorIntervention: '57000',
  QueryCanceled: '57014',
  AdminShutdown: '57P01',
  CrashShutdown: '57P02',
  CannotConnectNow: '57P03',
  DatabaseDropped: '57P04',
  IdleSessionTimeout: '57P05',
  // Class 58: system error
  SystemError: '58000',
  IoError: '58030',
  // Class XX: internal error
  InternalError: 'XX000',
} as const;

export type SqlState = (typeof SqlState)[keyof typeof SqlState];

/** True for class 08 (connection exception): the server connection is unusable afterwards. */
export function isConnectionException(sqlstate: string): boolean {
  return sqlstate.length === 5 && sqlstate.charCodeAt(0) === 0x30 && sqlstate.charCodeAt(1) === 0x38;
}
