// Flags shared by every command that reads the config (SPEC §2).
import { Flags } from '@oclif/core';

export const configFlags = {
  config: Flags.string({
    char: 'c',
    summary: 'Path to pgdog.toml.',
    env: 'PGDOG_CONFIG',
    default: './pgdog.toml',
  }),
  users: Flags.string({
    char: 'u',
    summary: 'Path to users.toml.',
    env: 'PGDOG_USERS',
    default: './users.toml',
  }),
};
