/* The `vaesa` command line: the only place in the library that prints. */
import { Command, CommanderError } from 'commander';
import { version } from '../../package.json';
import { CliError, CliInterrupted } from './errors';
import { registerDatasetCommands } from './dataset';
import { registerEvaluateCommand } from './evaluate';
import { registerTrainCommand } from './train';
import { registerSearchCommand } from './search';
import { registerDemoCommand } from './demo';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('vaesa')
    .version(version, '-V, --version', 'print the version of vaesa')
    .description('Learning-based design space exploration of DNN accelerators (VAESA in TypeScript)')
    .showHelpAfterError('(run with --help for usage)');
  registerEvaluateCommand(program);
  registerDatasetCommands(program);
  registerTrainCommand(program);
  registerSearchCommand(program);
  registerDemoCommand(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. User mistakes print one line and exit 2. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliInterrupted) {
      process.stderr.write(`vaesa: ${err.message}\n`);
      return 130;
    }
    if (err instanceof CliError) {
      process.stderr.write(`vaesa: ${err.message}\n`);
      return 2;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`vaesa: internal error: ${e.message}\n`);
    if (process.env.VAESA_DEBUG) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
