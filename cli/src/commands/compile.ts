import { Command, Flags } from '@oclif/core';
import { configFlags } from '../config-flags.js';
import { CommandFailure, failureResult, type FailureJson } from '../route/command-failure.js';
import type { CompileJson } from '../route/compile-output.js';

export default class Compile extends Command {
  static override summary = 'Validate the config, then write the routing table (pgdog.routes.json).';
  static override description =
    'The routing table is a versioned JSON file (schema: @pgdog/schemas routes.schema.json) with the topology, ' +
    'sharded and omnisharded tables, compiled query rules and the hashes of the files it came from. It holds no ' +
    'passwords. The same files always give the same bytes. --check compares instead of writing: exit 1 if the ' +
    'file is missing, unreadable or stale (compiled from files with other hashes). ' +
    'Exit codes: 0 ok, 1 invalid config or stale table, 2 usage or I/O error.';
  static override examples = [
    '<%= config.bin %> compile',
    '<%= config.bin %> compile -c deploy/pgdog.toml -u deploy/users.toml -o build/routes.json',
    '<%= config.bin %> compile --check',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    ...configFlags,
    output: Flags.string({ char: 'o', summary: 'Where to write the table (default: pgdog.routes.json beside the config).' }),
    check: Flags.boolean({ summary: 'Do not write: exit 1 if the file is missing or stale.', default: false }),
  };

  async run(): Promise<CompileJson | FailureJson> {
    const { flags } = await this.parse(Compile);
    try {
      const { compileConfig } = await import('../route/compile-output.js');
      const out = await compileConfig({ config: flags.config, users: flags.users, output: flags.output, check: flags.check });
      for (const line of out.stdout) this.log(line);
      process.exitCode = out.exitCode;
      return out.json;
    } catch (err) {
      if (err instanceof CommandFailure) return failureResult(err, (l) => this.logToStderr(l));
      throw err;
    }
  }
}
