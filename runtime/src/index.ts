export { createScramVerifier, deriveScramVerifier, formatScramVerifier, parseScramVerifier, scramKeys, scramSaltedPassword, SCRAM_ITERATIONS, SCRAM_SALT_BYTES } from './auth/scram-verifier.js';
export type { ScramVerifier } from './auth/scram-verifier.js';
export { saslprep } from './auth/saslprep.js';
