import { Command, CommanderError, Option } from 'commander';
import { EXIT_CANNOT_RUN, OverlabError } from './errors.js';
import { PROVIDER_KINDS } from './lab/lab-state.js';

const labOption = () => new Option('--lab <name>', 'which lab to act on (several can run side by side)').default(undefined, 'default');
const providerOption = () => new Option('--provider <kind>', 'where lab hosts run').choices([...PROVIDER_KINDS]);

/**
 * Build the command line; each action stores its exit code in `state.exitCode`.
 * Commands are imported when they run, so that `--help` does not pay for
 * loading execa, markdown-it and the rest.
 */
export function buildProgram(state: { exitCode: number }): Command {
  const program = new Command('overlab')
    .description('Lab runner and interactive course on how overlay networks really work')
    .version('0.1.0')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined });

  const set = (code: number) => {
    state.exitCode = code;
  };

  program
    .command('list')
    .description('chapters and the progress made in the lab')
    .addOption(labOption())
    .action(async (options) => set(await (await import('./commands/list.js')).listCommand(options, process.stdout)));

  program
    .command('start')
    .description('provision the lab if needed and walk a chapter step by step')
    .argument('<chapter>', 'chapter id, e.g. chapter-2')
    .option('-y, --yes', 'run every step without asking; exit 1 if a step or check fails')
    .option('--mode <mode>', 'control plane for chapters that have several (chapter-1: classic or swarm); default: what the machine\'s Docker supports')
    .addOption(labOption())
    .addOption(providerOption())
    .action(async (chapter: string, options) =>
      set(await (await import('./commands/start.js')).startCommand(chapter, options, { input: process.stdin, output: process.stdout, isInteractive: process.stdin.isTTY === true && process.stdout.isTTY === true })),
    );

  program
    .command('verify')
    .description('grade the live lab: exit 0 all checks pass, 1 a check failed, 2 could not run')
    .argument('[chapter...]', 'chapters to grade (default: every chapter on the lab\'s topology)')
    .option('--json', 'print the report as JSON on stdout')
    .option('--hints', 'show what to try next for each failed check')
    .option('--junit <file>', 'also write the results as JUnit XML to this file')
    .addOption(labOption())
    .action(async (chapters: string[], options) => set(await (await import('./commands/verify.js')).verifyCommand(chapters, options, process.stdout)));

  program
    .command('test')
    .description('for course authors and CI: on fresh labs, every check fails before, passes after, and notices each skipped step')
    .argument('[chapter...]', 'chapters to test (default: all, in every mode the machine supports)')
    .option('--mode <mode>', 'test only this mode of chapters that have several')
    .option('--repeat <n>', 'run everything n times to expose flaky checks', '1')
    .option('--jobs <n>', 'labs to run side by side for the skipped-step runs', '2')
    .option('--junit <file>', 'also write the results as JUnit XML to this file')
    .addOption(providerOption())
    .action(async (chapters: string[], options) => set(await (await import('./commands/test.js')).testCommand(chapters, options, process.stdout)));

  program
    .command('shell')
    .description('an interactive shell on a lab host')
    .argument('<host>', 'host name, e.g. node1')
    .option('--ns <name>', 'open the shell inside this network namespace of the host (e.g. overns)')
    .addOption(labOption())
    .action(async (host: string, options) => set(await (await import('./commands/shell.js')).shellCommand(host, options)));

  program
    .command('status')
    .description('running labs, their hosts and services')
    .addOption(labOption())
    .action(async (options) => set(await (await import('./commands/status.js')).statusCommand(options, process.stdout)));

  program
    .command('down')
    .description('remove the lab and everything it created')
    .addOption(labOption())
    .addOption(providerOption())
    .action(async (options) => set(await (await import('./commands/down.js')).downCommand(options, process.stdout)));

  program
    .command('doctor')
    .description('check the prerequisites and report their versions')
    .addOption(providerOption())
    .action(async (options) => set(await (await import('./commands/doctor.js')).doctorCommand(options, process.stdout)));

  program.addHelpText(
    'after',
    `
Every command but test and doctor acts on the lab named "default" unless given
--lab NAME. start, test, down and doctor take --provider ${PROVIDER_KINDS.join('|')}.
"overlab help COMMAND" lists a command's options.`,
  );

  return program;
}

/** Run the command line and return the exit code; never calls process.exit. */
export async function main(argv: string[]): Promise<number> {
  const state = { exitCode: 0 };
  const program = buildProgram(state);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      process.stderr.write(`overlab: ${error.message.replace(/^error: /, '').replace(/\.$/, '')}; run "overlab --help" for usage\n`);
      return EXIT_CANNOT_RUN;
    }
    if (error instanceof OverlabError) {
      process.stderr.write(`${error.toLine()}\n`);
      return error.exitCode;
    }
    process.stderr.write(`overlab: unexpected error (a bug; please report it with this output)\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_CANNOT_RUN;
  }
}
