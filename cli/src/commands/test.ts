import { Command, Flags } from '@oclif/core';
import { configFlags } from '../config-flags.js';
import { CommandFailure, failureResult, type FailureJson } from '../route/command-failure.js';
import type { TestRunJson } from '../route/run-route-tests.js';

export default class Test extends Command {
  static override summary = 'Run routing assertions: each query must route to the expected shards and role.';
  static override description =
    'Files are TOML ([[case]] query, params?, database?, user?, session?, expect = { shards = [1] or "all", role, rule?, ... }) ' +
    'or JSON corpora (an array of the same cases); default: pgdog.routes.test.toml beside the config. A failing case ' +
    'prints expected and actual values with the route\'s reason. ' +
    'Exit codes: 0 all pass, 1 a case fails (or a test file or the config is invalid), 2 usage or I/O error.';
  static override examples = ['<%= config.bin %> test', '<%= config.bin %> test fixtures/queries/*.json -c fixtures/queries/pgdog.toml -u fixtures/queries/users.toml -d shop'];
  static override strict = false;
  static override enableJsonFlag = true;
  static override flags = {
    ...configFlags,
    database: Flags.string({ char: 'd', summary: 'Database for cases that name none (default: the only one in the config).' }),
    user: Flags.string({ summary: 'User for cases that name none (default: the first user of the database).' }),
  };

  async run(): Promise<TestRunJson | FailureJson> {
    const { flags, argv } = await this.parse(Test);
    try {
      const [{ loadRoutingContext, besideConfig }, { runRouteTests }] = await Promise.all([import('../route/routing-context.js'), import('../route/run-route-tests.js')]);
      const files = (argv as string[]).length > 0 ? (argv as string[]) : [besideConfig(flags.config, 'pgdog.routes.test.toml')];
      const ctx = await loadRoutingContext(flags.config, flags.users);
      const result = await runRouteTests(ctx, files, { database: flags.database, user: flags.user });
      for (const line of result.stdout) this.log(line);
      process.exitCode = result.exitCode;
      return result.json;
    } catch (err) {
      if (err instanceof CommandFailure) return failureResult(err, (l) => this.logToStderr(l));
      throw err;
    }
  }
}
