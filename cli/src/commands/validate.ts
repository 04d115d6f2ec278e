import { Command, Flags } from '@oclif/core';
import { configFlags } from '../config-flags.js';
import type { ValidateJson } from '../validate-report.js';

export default class Validate extends Command {
  static override summary = 'Check pgdog.toml and users.toml against the schema and each other.';
  static override description =
    'Prints every problem as file:line:column: severity CODE message (with a hint line where one helps). ' +
    'Exit codes: 0 valid, 1 invalid (or warnings with --strict), 2 a file cannot be read or bad usage.';
  static override examples = [
    '<%= config.bin %> validate',
    '<%= config.bin %> validate -c deploy/pgdog.toml -u deploy/users.toml --json',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    ...configFlags,
    strict: Flags.boolean({ summary: 'Treat warnings as errors.', default: false }),
  };

  async run(): Promise<ValidateJson> {
    const { flags } = await this.parse(Validate);
    // Imported here, not at the top: oclif loads every command module on start-up, so each
    // command keeps its dependencies out of the others' cold start.
    const [{ loadConfig }, { validateReport }] = await Promise.all([import('@pgdog/compiler'), import('../validate-report.js')]);
    const result = await loadConfig({ configPath: flags.config, usersPath: flags.users });
    const report = validateReport(result, { config: flags.config, users: flags.users }, flags.strict);
    for (const line of report.stdout) this.log(line);
    for (const line of report.stderr) this.logToStderr(line);
    // Returned, not thrown: oclif prints the value under --json, and the exit code still applies.
    process.exitCode = report.exitCode;
    return report.json;
  }
}
