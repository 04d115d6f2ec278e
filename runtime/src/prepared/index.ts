// Named prepared statements in transaction mode (see README.md for how the forwarder uses them).
export { StatementCache, SERVER_NAME_PREFIX, type GlobalStatement } from './statement-cache.js';
export { ClientStatements, statementKey, statementKeyFromBytes } from './client-statements.js';
export { ServerStatements, ServerStatementsRegistry } from './server-statements.js';
export { ResponsePlan, ServerFrameAction } from './response-plan.js';
export { PreparedStatements, type ByteSink } from './rewriter.js';
export { decideDeallocate, type SimpleQueryDecision } from './deallocate.js';
export { statementMissingError, statementExistsError } from './frames.js';
