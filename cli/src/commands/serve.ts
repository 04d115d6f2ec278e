import { readFileSync } from 'node:fs';
import { Command, Flags } from '@oclif/core';
import { configFlags } from '../config-flags.js';
import { ExitCode } from '../exit-codes.js';

export default class Serve extends Command {
  static override summary = 'Run the proxy.';
  static override description =
    'Loads and checks pgdog.toml and users.toml, then accepts PostgreSQL clients. Logs go to standard output: ' +
    'readable lines on a terminal, JSON otherwise. SIGINT / SIGTERM stop accepting and let running transactions ' +
    'finish (up to general.shutdown_timeout); a second signal closes at once. ' +
    '--routes serves a routing table written by `pgdog compile` instead of compiling one at start; a table compiled ' +
    'from other versions of the two files is refused unless --force. ' +
    'Exit codes: 0 after a clean shutdown, 1 invalid config, 2 a file cannot be read or the port cannot be bound.';
  static override examples = [
    '<%= config.bin %> serve',
    '<%= config.bin %> serve -c deploy/pgdog.toml -u deploy/users.toml --port 6433',
    '<%= config.bin %> serve --routes pgdog.routes.json',
  ];
  static override flags = {
    ...configFlags,
    host: Flags.string({ summary: 'Address to listen on (overrides general.host).' }),
    port: Flags.integer({ summary: 'Port to listen on (overrides general.port).', min: 0, max: 65535 }),
    routes: Flags.string({ summary: 'A routing table from `pgdog compile` to serve (default: compiled from the config at start).' }),
    force: Flags.boolean({ summary: 'With --routes: serve the table even if it was compiled from other versions of the files.', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve);
    // Imported here, not at the top: oclif loads every command module on start-up.
    const [{ loadConfig, isIoDiagnostic, parseRoutingTable, isRoutingTableCurrent }, { formatDiagnostic }, runtime] = await Promise.all([
      import('@pgdog/compiler'),
      import('../validate-report.js'),
      import('@pgdog/runtime'),
    ]);
    const result = await loadConfig({ configPath: flags.config, usersPath: flags.users });
    if (result.config === null) {
      // Same lines as `pgdog validate`, on stderr: stdout is the log stream.
      for (const d of [...result.errors, ...result.warnings]) for (const line of formatDiagnostic(d)) this.logToStderr(line);
      this.logToStderr(`cannot serve: ${flags.config} and ${flags.users} have ${result.errors.length} error(s)`);
      process.exitCode = result.errors.some(isIoDiagnostic) ? ExitCode.Usage : ExitCode.Invalid;
      return;
    }
    let routingTable: import('@pgdog/compiler').RoutingTable | undefined;
    if (flags.routes !== undefined) {
      let text: string;
      try {
        text = readFileSync(flags.routes, 'utf8');
      } catch (err) {
        this.logToStderr(`cannot read the routing table ${flags.routes}: ${(err as Error).message}`);
        process.exitCode = ExitCode.Usage;
        return;
      }
      const loaded = parseRoutingTable(text);
      if (!loaded.ok) {
        for (const e of loaded.errors) this.logToStderr(`${flags.routes}: ${e}`);
        this.logToStderr(`cannot serve: ${flags.routes} is not a valid routing table (recompile it with pgdog compile)`);
        process.exitCode = ExitCode.Invalid;
        return;
      }
      const src = result.config.sources;
      if (!flags.force && !isRoutingTableCurrent(loaded.table, src.configSha256, src.usersSha256)) {
        this.logToStderr(`cannot serve: ${flags.routes} was compiled from other versions of ${flags.config} / ${flags.users}; run pgdog compile, or pass --force`);
        process.exitCode = ExitCode.Invalid;
        return;
      }
      routingTable = loaded.table;
    }
    const general = result.config.pgdog.general;
    const logger = runtime.createLogger({ level: general.log_level, format: general.log_format });
    for (const d of result.warnings) logger.warn({ file: d.file, line: d.line, column: d.column, code: d.code }, d.message);

    let server: Awaited<ReturnType<typeof runtime.startServer>>;
    try {
      server = await runtime.startServer(result.config, { host: flags.host, port: flags.port, logger, routingTable });
    } catch (err) {
      logger.fatal({ err }, 'could not start');
      process.exitCode = ExitCode.Usage;
      return;
    }

    await new Promise<void>((resolve) => {
      let stopping = false;
      const onSignal = (signal: NodeJS.Signals): void => {
        if (stopping) {
          logger.warn({ signal }, 'second signal: closing every connection now');
          void server.close(false);
          return;
        }
        stopping = true;
        logger.info({ signal, shutdownTimeoutMs: general.shutdown_timeout }, 'shutting down: waiting for running transactions');
        server.close(true).then(
          () => resolve(),
          (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            resolve();
          },
        );
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    logger.info('stopped');
    process.exitCode = ExitCode.Ok;
    // Everything is closed; a timer somebody forgot to unref must not keep the process up.
    setTimeout(() => process.exit(ExitCode.Ok), 500).unref();
  }
}
