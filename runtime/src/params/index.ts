// Session parameters and session pinning in transaction mode (see ../prepared/README.md).
export { SessionParams, changeOf, rawAssignment, setAssignment } from './session-params.js';
export { ServerParams, SyncResponse, SyncOutcome, syncPlan, type SyncPlan } from './sync-plan.js';
export { pinReason, needsParseTree, type PinReason } from './session-pinning.js';
export { parseStartupOptions, splitOptions, type StartupSetting } from './startup-options.js';
export { quoteLiteral, quoteIdentifier, quoteParameterName } from './quote.js';
