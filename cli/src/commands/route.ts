import { Command, Flags } from '@oclif/core';
import type { Route as RouteObject } from '@pgdog/compiler';
import { configFlags } from '../config-flags.js';
import { ExitCode } from '../exit-codes.js';
import { readTextInput } from '../route/read-input.js';
import type { CoverageJson } from '../route/coverage.js';
import { CommandFailure, failureResult, type FailureJson } from '../route/command-failure.js';

export default class Route extends Command {
  static override summary = 'Dry run: show where each query goes (shards, role, rule) and why.';
  static override description =
    'Queries come from the arguments, from -f FILE (a SQL script, - for stdin; SET pgdog.* and BEGIN carry over ' +
    'between its statements), or from --log FILE (one statement per line, or a pg_stat_statements CSV export with ' +
    '`query` and `calls` columns), which prints a coverage summary instead. The same routing function as ' +
    '`pgdog serve`. Put `--` before queries that start with `-` (a leading `-- comment`). ' +
    'Exit codes: 0 routed, 1 a query is blocked or does not parse (or the config is invalid), 2 usage or I/O error.';
  static override examples = [
    `<%= config.bin %> route "SELECT * FROM orders WHERE customer_id = 42"`,
    `<%= config.bin %> route -p 42 "SELECT * FROM orders WHERE customer_id = $1" --json`,
    '<%= config.bin %> route -f migrations/seed.sql -d shop',
    '<%= config.bin %> route --log pg_stat_statements.csv',
  ];
  static override strict = false;
  static override enableJsonFlag = true;
  static override flags = {
    ...configFlags,
    file: Flags.string({ char: 'f', summary: 'Route the statements of a SQL file (- for stdin).', exclusive: ['log'] }),
    log: Flags.string({ summary: 'Summarize a query log: one statement per line, or a pg_stat_statements CSV export.', exclusive: ['file'] }),
    database: Flags.string({ char: 'd', summary: 'Database to route for (default: the only one in the config).' }),
    user: Flags.string({ summary: 'User to route as (default: the first user of the database in users.toml).' }),
    param: Flags.string({ char: 'p', summary: 'Bind parameter value ($1, $2, ... in order; text format). Repeatable.', multiple: true, multipleNonGreedy: true }),
    'in-transaction': Flags.boolean({ summary: 'Route as inside an explicit (read-write) transaction.', default: false }),
    top: Flags.integer({ summary: 'With --log: how many broadcast query shapes to list.', default: 10, min: 0 }),
  };

  async run(): Promise<RouteObject[] | CoverageJson | FailureJson> {
    const { flags, argv } = await this.parse(Route);
    const sql = argv as string[];
    const sources = [sql.length > 0, flags.file !== undefined, flags.log !== undefined].filter(Boolean).length;
    try {
      if (sources !== 1) throw new CommandFailure(['give queries as arguments, or one of -f FILE / --log FILE'], ExitCode.Usage);
      const { loadRoutingContext, pickDatabase, pickUser } = await import('../route/routing-context.js');
      const ctx = await loadRoutingContext(flags.config, flags.users);
      for (const w of ctx.warnings) this.logToStderr(`${w.file}:${w.line}:${w.column}: warning ${w.code} ${w.message}`);
      const database = pickDatabase(ctx.table, flags.database);
      const user = pickUser(ctx.config, database, flags.user);
      const session = { inTransaction: flags['in-transaction'] };
      if (flags.log !== undefined) {
        const [{ routeLog }, { formatCoverage }] = await Promise.all([import('../route/route-log.js'), import('../route/coverage.js')]);
        const report = await routeLog({ table: ctx.table, database, user, session, path: flags.log, top: flags.top, progress: process.stderr.isTTY === true });
        for (const line of formatCoverage(report)) this.log(line);
        process.exitCode = ExitCode.Ok;
        return report;
      }
      const { routeQueries } = await import('../route/route-queries.js');
      const queries = flags.file !== undefined ? await this.script(flags.file) : sql;
      const params = flags.param !== undefined ? { values: flags.param } : undefined;
      const { routes, failed } = await routeQueries({ table: ctx.table, database, user, session, params, queries, split: flags.file !== undefined });
      const { formatRoute } = await import('../route/format-route.js');
      routes.forEach((r, i) => {
        if (i > 0) this.log('');
        for (const line of formatRoute(r)) this.log(line);
      });
      process.exitCode = failed ? ExitCode.Invalid : ExitCode.Ok;
      return routes;
    } catch (err) {
      if (err instanceof CommandFailure) return failureResult(err, (l) => this.logToStderr(l));
      throw err;
    }
  }

  private async script(file: string): Promise<string[]> {
    try {
      return [await readTextInput(file)];
    } catch (err) {
      throw new CommandFailure([`cannot read ${file}: ${(err as Error).message}`], ExitCode.Usage);
    }
  }
}
