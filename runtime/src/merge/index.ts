// Public surface of the cross-shard result merger (wired by the forwarder; see README.md).
export { ResultMerger, type ResultMergerOptions } from './result-merger.js';
export { MergeError, MergeSqlState } from './merge-error.js';
export { columnType, typeName, Oid, type ColumnType } from './column-types.js';
export { parseDecimal, formatDecimal, addDecimal, compareDecimal, divideForAverage, type Decimal } from './decimal.js';
export { formatFloat4, formatFloat8 } from './float-text.js';
export { readNumericBinary, writeNumericBinary } from './numeric-binary.js';
export { paramText } from './param-text.js';
