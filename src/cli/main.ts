import { Command } from 'commander';
import { registerChannelCommands } from './channels.ts';
import { registerDoctorCommand } from './doctor.ts';
import { registerStatusCommand } from './status.ts';
import { registerVideoCommands } from './videos.ts';

// `parker`: the operator's command line (bin/parker.js runs this). One file per command
// group; every failure ends the command with one sentence saying what to do, and exit 1.

export function parkerProgram(): Command {
  const program = new Command('parker')
    .description('Manage the channels Parker follows and watch its downloads.')
    .showHelpAfterError()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerChannelCommands(program);
  registerVideoCommands(program);
  registerDoctorCommand(program);
  registerStatusCommand(program);
  return program;
}

parkerProgram()
  .parseAsync(process.argv)
  .then(
    () => process.exit(process.exitCode ?? 0),
    (error: unknown) => {
      process.stderr.write(`parker: ${error instanceof Error ? error.message : String(error)}\n`);
      if (process.env.PARKER_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exit(1);
    },
  );
