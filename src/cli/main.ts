/* The `vaesa` command line. Commands are added by later work; this is the skeleton. */
import { Command } from 'commander';

const program = new Command();
program.name('vaesa').description('Learning-based design space exploration of DNN accelerators');
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`vaesa: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
