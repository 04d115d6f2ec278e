// Message type bytes of the PostgreSQL 3.0 protocol. The same letter means different messages in
// the two directions ('D' is Describe from a client but DataRow from a server), so the codes live in
// two enums and a frame must always be interpreted with its direction in mind.
//
// Note: the project compiles with `verbatimModuleSyntax`, so a const enum imported from another file
// is emitted as a real object and read with a property load; it is only inlined inside this file.

/** Messages sent by a client (frontend) to the server. */
export const enum FrontendCode {
  Query = 0x51, // 'Q'
  Parse = 0x50, // 'P'
  Bind = 0x42, // 'B'
  Execute = 0x45, // 'E'
  Describe = 0x44, // 'D'
  Sync = 0x53, // 'S'
  Flush = 0x48, // 'H'
  Close = 0x43, // 'C'
  CopyData = 0x64, // 'd'
  CopyDone = 0x63, // 'c'
  CopyFail = 0x66, // 'f'
  Terminate = 0x58, // 'X'
  /** PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse all share 'p'. */
  PasswordMessage = 0x70, // 'p'
  FunctionCall = 0x46, // 'F'
}

/** Messages sent by the server (backend) to a client. */
export const enum BackendCode {
  DataRow = 0x44, // 'D'
  CommandComplete = 0x43, // 'C'
  ErrorResponse = 0x45, // 'E'
  ReadyForQuery = 0x5a, // 'Z'
  RowDescription = 0x54, // 'T'
  ParameterStatus = 0x53, // 'S'
  BackendKeyData = 0x4b, // 'K'
  Authentication = 0x52, // 'R'
  NoticeResponse = 0x4e, // 'N'
  NotificationResponse = 0x41, // 'A'
  ParseComplete = 0x31, // '1'
  BindComplete = 0x32, // '2'
  CloseComplete = 0x33, // '3'
  NoData = 0x6e, // 'n'
  PortalSuspended = 0x73, // 's'
  EmptyQueryResponse = 0x49, // 'I'
  ParameterDescription = 0x74, // 't'
  CopyInResponse = 0x47, // 'G'
  CopyOutResponse = 0x48, // 'H'
  CopyBothResponse = 0x57, // 'W'
  CopyData = 0x64, // 'd'
  CopyDone = 0x63, // 'c'
  FunctionCallResponse = 0x56, // 'V'
  NegotiateProtocolVersion = 0x76, // 'v'
}

/** The int32 that follows the length word of an untyped startup-phase packet. */
export const enum StartupRequestCode {
  /** StartupMessage for protocol 3.0: (3 << 16) | 0. */
  ProtocolVersion3 = 196608,
  CancelRequest = 80877102,
  SSLRequest = 80877103,
  GSSENCRequest = 80877104,
}

const FRONTEND_CODES: readonly number[] = [
  FrontendCode.Query,
  FrontendCode.Parse,
  FrontendCode.Bind,
  FrontendCode.Execute,
  FrontendCode.Describe,
  FrontendCode.Sync,
  FrontendCode.Flush,
  FrontendCode.Close,
  FrontendCode.CopyData,
  FrontendCode.CopyDone,
  FrontendCode.CopyFail,
  FrontendCode.Terminate,
  FrontendCode.PasswordMessage,
  FrontendCode.FunctionCall,
];

// One byte per possible code so the check is a single indexed load, no branches on the letter.
const KNOWN_FRONTEND = new Uint8Array(256);
for (const code of FRONTEND_CODES) KNOWN_FRONTEND[code] = 1;

/** Every code a 3.0 client may legitimately send once the startup phase is over. */
export function frontendCodes(): readonly number[] {
  return FRONTEND_CODES;
}

export function isKnownFrontendCode(code: number): boolean {
  // Out-of-range and non-integer indexes read `undefined`, so no separate range check is needed.
  return KNOWN_FRONTEND[code] === 1;
}
