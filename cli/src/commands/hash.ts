import { Args, Command } from '@oclif/core';
import { readPasswordFromStdin } from '../read-stdin.js';

export default class Hash extends Command {
  static override summary = 'Print a SCRAM-SHA-256 verifier for users.toml `password_hash`.';
  static override description =
    'The verifier has the form PostgreSQL stores in pg_authid (SCRAM-SHA-256$4096:salt$StoredKey:ServerKey) ' +
    'with a random 16-byte salt. Pass - to read the password from standard input (keeps it out of shell history).';
  static override examples = ['<%= config.bin %> hash hunter2', 'printf %s "$PASSWORD" | <%= config.bin %> hash -'];
  static override args = {
    password: Args.string({ description: 'The password, or - to read it from stdin.', required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(Hash);
    const password = args.password === '-' ? await readPasswordFromStdin() : args.password;
    // PostgreSQL refuses empty passwords too ("empty string is not a valid password").
    if (password === '') this.error('the password is empty', { exit: 2 });
    // Imported here, not at the top: oclif loads every command module on start-up, and the
    // runtime package is not needed by the other commands' cold start.
    const { createScramVerifier } = await import('@pgdog/runtime');
    this.log(createScramVerifier(password));
  }
}
