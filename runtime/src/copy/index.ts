// Public surface of the sharded COPY FROM STDIN splitter (wired by the forwarder; see
// ../merge/README.md).
export { CopySplitter, type CopySplitOptions } from './copy-splitter.js';
export { CopyRowError } from './copy-row-error.js';
export { BINARY_SIGNATURE, BINARY_TRAILER } from './copy-binary.js';
