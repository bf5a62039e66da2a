import type { Command } from 'commander';
import { ensureDefaultBackend, useBackend } from '../model/tf';
import { CliError } from './errors';

/**
 * `--backend`: wasm by default (measured about 19x faster than cpu for training, docs/model.md);
 * when the default cannot start, cpu is used. A backend the user names must start.
 */
export function addBackendOption(cmd: Command): Command {
  return cmd.option('--backend <name>', 'tfjs backend: wasm (default), cpu, or any registered backend');
}

export async function selectBackend(name: string | undefined): Promise<void> {
  if (name === undefined) {
    await ensureDefaultBackend();
    return;
  }
  if (!(await useBackend(name).catch(() => false))) throw new CliError(`--backend: the tfjs backend "${name}" could not start`);
}
