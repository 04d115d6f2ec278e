// Public surface of the wire-protocol layer: framing, cursors, and per-message codecs. Frames are
// passed around as (buf, start, end) views that are valid only during the current dispatch.

export { FrontendCode, BackendCode, StartupRequestCode, isKnownFrontendCode, frontendCodes } from './codes.js';
export { SqlState, isConnectionException } from './sqlstate.js';
export { MalformedMessageError } from './malformed-message.js';
export {
  LARGE_MESSAGE_LIMIT,
  SMALL_MESSAGE_LIMIT,
  AUTH_MESSAGE_LIMIT,
  STARTUP_PACKET_LIMIT,
  FORBIDDEN,
  uniformLengthLimits,
  frontendLengthLimits,
} from './length-limits.js';
export { Framer, FramerMode, type FrameHandler, type FramingError, type FramerOptions } from './framer.js';
export { Reader } from './reader.js';
export { MessageWriter } from './writer.js';
export * from './constants.js';

export {
  StartupPacketKind,
  startupPacketKind,
  readStartupMessage,
  negotiateProtocol,
  readCancelRequest,
  PROTOCOL_VERSION_3_0,
  type StartupMessage,
  type ProtocolDecision,
  type CancelRequest,
} from './frontend/startup.js';
export { readQuery } from './frontend/query.js';
export { readParse, parseStatementName, type ParseMessage } from './frontend/parse.js';
export {
  FormatCode,
  readBind,
  bindStatementName,
  bindParameterCount,
  bindParameter,
  bindParameterFormat,
  type BindMessage,
} from './frontend/bind.js';
export { DescribeTarget, readDescribe, readClose, type DescribeOrClose } from './frontend/describe-close.js';
export { readExecute, type ExecuteMessage } from './frontend/execute.js';
export {
  readPasswordMessage,
  readSASLInitialResponse,
  readSASLResponse,
  type SASLInitialResponse,
} from './frontend/password.js';

export {
  ErrorField,
  writeErrorResponse,
  writeNoticeResponse,
  readErrorFields,
  errorField,
  type ErrorFields,
  type ErrorSeverity,
  type NoticeSeverity,
  type ServerErrorFields,
} from './backend/error-response.js';
export {
  AuthenticationType,
  SCRAM_SHA_256,
  SCRAM_SHA_256_PLUS,
  writeAuthenticationOk,
  writeAuthenticationCleartextPassword,
  writeAuthenticationMD5Password,
  writeAuthenticationSASL,
  writeAuthenticationSASLContinue,
  writeAuthenticationSASLFinal,
  readAuthentication,
  type AuthenticationRequest,
} from './backend/auth.js';
export { writeParameterStatus, readParameterStatus, type ParameterStatus } from './backend/parameter-status.js';
export { writeBackendKeyData, readBackendKeyData, type BackendKeyData } from './backend/backend-key-data.js';
export { writeParameterDescription, readParameterDescription } from './backend/parameter-description.js';
export { TransactionStatus, readyForQueryStatus, writeReadyForQuery } from './backend/ready-for-query.js';
export {
  writeNegotiateProtocolVersion,
  readNegotiateProtocolVersion,
  type NegotiateProtocolVersion,
} from './backend/negotiate-protocol-version.js';
export {
  TypeOid,
  writeRowDescription,
  readRowDescription,
  rowDescriptionColumnCount,
  type ColumnDescription,
  type DescribedColumn,
} from './backend/row-description.js';
export { writeDataRow, readDataRow, dataRowColumnCount, type TextValue } from './backend/data-row.js';
export {
  writeCommandComplete,
  readCommandComplete,
  rowCountFromTag,
  commandCompleteRowCount,
} from './backend/command-complete.js';
