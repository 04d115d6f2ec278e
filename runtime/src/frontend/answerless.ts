import { FrontendCode } from '../protocol/codes.js';

/** Frames no answer follows when they arrive outside a COPY or an extended-protocol batch (indexed by code). */
export const ANSWERLESS = new Uint8Array(256);
for (const code of [FrontendCode.CopyData, FrontendCode.CopyDone, FrontendCode.CopyFail, FrontendCode.Flush]) ANSWERLESS[code] = 1;
