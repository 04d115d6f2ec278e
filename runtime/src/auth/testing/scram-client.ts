// Test support: the client half of SCRAM-SHA-256 (RFC 5802), written from the RFC so the server
// can be driven byte by byte, including with messages a real client would never send.

import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

const hmac = (key: Buffer, text: string | Buffer) => createHmac('sha256', key).update(text).digest();

export interface ScramClientOptions {
  /** gs2 header, "n,," unless a test wants another. */
  gs2Header?: string;
  clientNonce?: string;
  /** Bytes fed to PBKDF2; a test passes SASLprep'd or raw bytes on purpose. */
  passwordBytes: Buffer;
}

export class ScramTestClient {
  readonly gs2Header: string;
  readonly clientNonce: string;
  readonly clientFirstBare: string;
  private serverSignature: string | null = null;

  constructor(private readonly options: ScramClientOptions) {
    this.gs2Header = options.gs2Header ?? 'n,,';
    this.clientNonce = options.clientNonce ?? randomBytes(18).toString('base64');
    this.clientFirstBare = `n=,r=${this.clientNonce}`;
  }

  get clientFirstMessage(): string {
    return this.gs2Header + this.clientFirstBare;
  }

  /** The client-final-message for a server-first-message. */
  clientFinal(serverFirst: string, overrides: { channelBinding?: string; nonce?: string } = {}): string {
    const attrs = new Map(serverFirst.split(',').map((a) => [a[0], a.slice(2)] as const));
    const salt = Buffer.from(attrs.get('s') ?? '', 'base64');
    const iterations = Number(attrs.get('i'));
    const nonce = overrides.nonce ?? attrs.get('r') ?? '';
    const channelBinding = overrides.channelBinding ?? Buffer.from(this.gs2Header, 'latin1').toString('base64');
    const withoutProof = `c=${channelBinding},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const salted = pbkdf2Sync(this.options.passwordBytes, salt, iterations, 32, 'sha256');
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash('sha256').update(clientKey).digest();
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
    this.serverSignature = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** True when the server-final-message proves the server knew the verifier. */
  verifyServerFinal(serverFinal: string): boolean {
    return this.serverSignature !== null && serverFinal === `v=${this.serverSignature}`;
  }
}
