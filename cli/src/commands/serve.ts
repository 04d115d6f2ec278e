import { Command, Flags } from '@oclif/core';
import { configFlags } from '../config-flags.js';
import { ExitCode } from '../exit-codes.js';

export default class Serve extends Command {
  static override summary = 'Run the proxy.';
  static override description =
    'Loads and checks pgdog.toml and users.toml, then accepts PostgreSQL clients. Logs go to standard output: ' +
    'readable lines on a terminal, JSON otherwise. SIGINT / SIGTERM stop accepting and let running transactions ' +
    'finish (up to general.shutdown_timeout); a second signal closes at once. SIGHUP reloads both files (and --routes): ' +
    'new logins use the new users, passwords, databases and pool settings, unchanged pools keep their connections, and a ' +
    'configuration with errors is logged and ignored (the running one stays). ' +
    '--routes serves a routing table written by `pgdog compile` instead of compiling one at start; a table compiled ' +
    'from other versions of the two files is refused unless --force. ' +
    'With general.workers > 1 (default 2; --workers overrides it) this process forks that many workers, which share the ' +
    'port and split every pool size; it passes signals on to them and replaces one that dies. ' +
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
    workers: Flags.integer({ summary: 'Worker processes (overrides general.workers; 1 serves from this process).', min: 1, max: 64 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve);
    // Imported here, not at the top: oclif loads every command module on start-up.
    const [{ loadServeConfig, loadForReload, logWarnings }, { Stopper }, runtime] = await Promise.all([
      import('../serve/load-serve-config.js'),
      import('../serve/stopper.js'),
      import('@pgdog/runtime'),
    ]);
    const files = { config: flags.config, users: flags.users, routes: flags.routes, force: flags.force };
    // Set in a process the primary forked (general.workers > 1): orders come from the primary.
    const link = runtime.workerLink();
    // A worker hears signals too (Ctrl-C reaches the whole process group), but acts on the
    // primary's orders only, so one Ctrl-C is one graceful shutdown, not two, even during start-up.
    if (link !== null) for (const signal of ['SIGHUP', 'SIGINT', 'SIGTERM'] as const) process.on(signal, () => {});
    const loaded = await loadServeConfig(files);
    if (!loaded.ok) {
      // Same lines as `pgdog validate`, on stderr: stdout is the log stream.
      for (const line of loaded.lines) this.logToStderr(line);
      link?.failed(loaded.lines.join('\n'));
      process.exitCode = loaded.exitCode;
      return;
    }
    const general = loaded.config.pgdog.general;
    const rootLogger = runtime.createLogger({ level: general.log_level, format: general.log_format });
    const logger = link === null ? rootLogger : rootLogger.child({ worker: link.index });
    if (link === null) logWarnings(logger, loaded.warnings);

    const workers = flags.workers ?? general.workers;
    if (link === null && workers > 1) {
      const { servePrimary } = await import('../serve/serve-primary.js');
      process.exitCode = await servePrimary({ files, workers, logger, shutdownTimeoutMs: general.shutdown_timeout });
      return;
    }

    let server: Awaited<ReturnType<typeof runtime.startServer>>;
    try {
      server = await runtime.startServer(loaded.config, { host: flags.host, port: flags.port, logger, routingTable: loaded.routingTable, worker: link ?? undefined });
    } catch (err) {
      logger.fatal({ err }, 'could not start');
      link?.failed(err instanceof Error ? err.message : String(err));
      process.exitCode = ExitCode.Usage;
      return;
    }

    // SIGHUP: read both files (and the table) again; a config with errors leaves the running one as it is.
    const onHangup = (): void => {
      logger.info({ config: flags.config, users: flags.users }, 'reloading the configuration');
      void (async () => {
        // A worker's primary has logged the warnings already.
        const next = await loadForReload(files, logger, link === null);
        if (next === null) return;
        const outcome = await server.reload(next.config, { routingTable: next.routingTable });
        if (!outcome.ok) logger.error({ reason: outcome.error }, 'reload failed: still serving the previous configuration');
      })().catch((err: unknown) => logger.error({ err }, 'reload failed: still serving the previous configuration'));
    };
    const stopper = new Stopper(logger, general.shutdown_timeout);
    stopper.attach(server);
    if (link === null) {
      process.on('SIGHUP', onHangup);
      stopper.onSignals();
    } else {
      link.onReload(onHangup);
      link.onClose((graceful) => stopper.stop(graceful, { order: 'primary' }));
      link.onCancel((processId, secretKey) => server.cancel(processId, secretKey));
      link.ready(server.port);
    }
    await stopper.done;
    process.removeListener('SIGHUP', onHangup);
    logger.info('stopped');
    process.exitCode = ExitCode.Ok;
    // Everything is closed; a timer somebody forgot to unref must not keep the process up.
    setTimeout(() => process.exit(ExitCode.Ok), 500).unref();
  }
}
