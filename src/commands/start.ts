import type { Readable, Writable } from 'node:stream';
import { findChapter, parseAllChapters, selectMode } from '../course/book.js';
import type { Chapter } from '../course/chapter.js';
import { chooseMode } from '../course/modes.js';
import { EXIT_CHECK_FAILED, EXIT_OK, OverlabError } from '../errors.js';
import { interruptedError, type Provider, type RunningLab } from '../providers/provider.js';
import type { CheckResult } from '../runner/check-runner.js';
import { markStepDone, readProgress, setRunningStep, type ChapterProgress } from '../runner/progress.js';
import { ChapterRunner, stepSucceeded } from '../runner/step-runner.js';
import { TerminalUi } from '../ui/terminal-ui.js';
import { lockLab } from '../lab/lab-lock.js';
import { labFlag } from '../lab/lab-name.js';
import type { Topology } from '../lab/topology.js';
import { labName, providerOf, type LabOptions } from './options.js';

export interface StartOptions extends LabOptions {
  yes?: boolean;
  mode?: string;
}

export interface Terminal {
  input: Readable;
  output: Writable;
  isInteractive: boolean;
}

/**
 * Provision the lab if needed and walk the chapter: each step's prose and
 * commands, its output, then the checks that follow it in the book.
 * Progress is saved after each step so that running it again resumes.
 */
export async function startCommand(chapterId: string, options: StartOptions, terminal: Terminal): Promise<number> {
  const lab = labName(options);
  const written = findChapter(await parseAllChapters(), chapterId);
  const progress = (await readProgress(lab)).chapters[chapterId];
  // Resuming keeps the mode the chapter was started in.
  const choice = await chooseMode(written, options.mode ?? progress?.mode);
  const { chapter, topology } = await selectMode(written, choice.mode);
  if (!options.yes && !terminal.isInteractive) {
    throw new OverlabError('NO_TTY', 'standard input is not a terminal, so overlab cannot ask before each step', {
      hint: `run "overlab start ${chapter.id} --yes${labFlag(lab)}" to run every step without asking`,
    });
  }
  const provider = await providerOf(options, lab);
  await provider.preflight(topology);
  const lock = await lockLab(lab, `start ${chapter.id}`);
  try {
    return await walkChapter(lab, provider, chapter, topology, choice, options, terminal, progress);
  } finally {
    await lock.release();
  }
}

async function walkChapter(
  lab: string,
  provider: Provider,
  chapter: Chapter,
  topology: Topology,
  choice: { mode: string | undefined; reason: string },
  options: StartOptions,
  terminal: Terminal,
  savedProgress: ChapterProgress | undefined,
): Promise<number> {
  let progress = savedProgress;
  const ui = new TerminalUi(terminal.input, terminal.output);
  ui.intro(`overlab · ${chapter.title}`);
  if (choice.mode) ui.info(`mode: ${choice.mode} (${choice.reason})`);

  if (progress?.running) {
    // The interrupted step's commands may have run in part, and the course's
    // commands cannot be re-run over half of themselves (ip netns add fails
    // with "File exists"), so the only state known to be right is a new lab.
    const recreate = options.yes || !terminal.isInteractive ? true : await ui.askRecreate(progress.running);
    if (recreate) {
      ui.warn(`step ${progress.running} was interrupted in the last run; recreating lab "${lab}" to start the chapter again`);
      await provider.down(lab);
      progress = undefined;
    } else {
      ui.warn(`step ${progress.running} was interrupted in the last run; running it again over what it left`);
    }
  }
  const started = performance.now();
  const running = await upUntilInterrupted(provider, lab, topology, ui, chapter.id);
  ui.info(`lab "${lab}" is up (${provider.kind} provider, ${((performance.now() - started) / 1000).toFixed(1)} s): ${topology.hosts.map((host) => `${host.name} ${host.address}`).join(', ')}`);

  const runner = new ChapterRunner(running, chapter, topology, progress?.values);
  ui.subscribe(runner);
  const done = new Set(progress?.done ?? []);
  if (done.size === 0) ui.prose(chapter.intro);

  const interruption = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  const stopListening = onInterrupt((signal) => {
    interruptedBy = signal;
    interruption.abort();
  });

  const failedChecks: CheckResult[] = [];
  let failedStep: string | undefined;
  try {
    for (const [index, step] of chapter.steps.entries()) {
      // A signal that arrived while checks ran stops before the next step starts.
      if (interruptedBy) break;
      if (done.has(step.id)) {
        ui.stepDone(step);
        continue;
      }
      ui.stepHeader(step, index, chapter.steps.length);
      // The header already shows the heading the step sits under.
      ui.prose(step.explanation.replace(/^#{1,6}\s+.*\n*/, ''));
      if (!options.yes) {
        const choice = await ui.askStep(step);
        if (choice === 'quit') {
          ui.outro(`Stopped before ${step.id}. Run "overlab start ${chapter.id}${labFlag(lab)}" to resume.`);
          return EXIT_OK;
        }
        if (choice === 'skip') {
          const hosts = step.runs.map((run) => run.host).join(', ');
          ui.info(`skipped ${step.id}: run its commands yourself with "overlab shell ${step.runs[0]?.host ?? '<host>'}${labFlag(lab)}" (on ${hosts})`);
          continue;
        }
      }
      await setRunningStep(lab, chapter.id, step.id);
      const results = await runner.runStep(step, interruption.signal);
      if (interruptedBy) break;
      await setRunningStep(lab, chapter.id, undefined);
      if (!stepSucceeded(results, step)) {
        failedStep = step.id;
        break;
      }
      await markStepDone(lab, chapter.id, step.id, { mode: chapter.mode, values: runner.values });
      ui.prose(step.afterword);
      const checks = await runner.runStepChecks(step);
      failedChecks.push(...checks.filter((check) => check.status !== 'pass'));
    }
  } finally {
    stopListening();
  }

  if (interruptedBy) {
    ui.warn(`interrupted by ${interruptedBy}: the running step was stopped`);
    const keep = interruptedBy === 'SIGINT' && terminal.isInteractive && !options.yes ? await ui.askKeepLab() : true;
    if (!keep) {
      await provider.down(lab);
      ui.outro(`lab "${lab}" removed`);
    } else {
      // The interrupted step may have run in part, so the next start recreates the lab.
      ui.outro(`lab "${lab}" kept to explore with "overlab shell <host>${labFlag(lab)}"; "overlab start ${chapter.id}${labFlag(lab)}" recreates it and starts the chapter again, "overlab down${labFlag(lab)}" removes it`);
    }
    return EXIT_CHECK_FAILED;
  }
  if (failedStep) {
    ui.outro(`step ${failedStep} failed; fix it in "overlab shell <host>${labFlag(lab)}", or run "overlab down${labFlag(lab)}" and start again`);
    return EXIT_CHECK_FAILED;
  }
  if (failedChecks.length > 0) {
    ui.outro(`${failedChecks.length} check(s) failed; "overlab verify ${chapter.id} --hints${labFlag(lab)}" shows them again`);
    return EXIT_CHECK_FAILED;
  }
  ui.outro(`chapter done. Grade it with "overlab verify ${chapter.id}${labFlag(lab)}"; remove the lab with "overlab down${labFlag(lab)}"`);
  return EXIT_OK;
}

/**
 * Bring the lab up. The first Ctrl-C or SIGTERM aborts the provider's
 * start-up: vagrant and the image builds run in process groups of their own,
 * which the terminal's Ctrl-C does not reach, so overlab kills them. A second
 * one ends overlab at once, as Node does by default.
 */
async function upUntilInterrupted(provider: Provider, lab: string, topology: Topology, ui: TerminalUi, chapterId: string): Promise<RunningLab> {
  const interruption = new AbortController();
  const stopListening = onInterrupt((signal) => {
    ui.warn(`interrupted by ${signal}: stopping the start of lab "${lab}" (press Ctrl-C again to quit at once)`);
    interruption.abort();
  });
  try {
    const running = await provider.up(lab, topology, { onProgress: (message) => ui.info(message), signal: interruption.signal });
    // A provider that is up within seconds does not stop early, so the start stops here.
    if (interruption.signal.aborted) {
      throw interruptedError(lab, `the lab is up: "overlab start ${chapterId}${labFlag(lab)}" continues, "overlab down${labFlag(lab)}" removes it`);
    }
    return running;
  } finally {
    stopListening();
  }
}

/** Call `handler` on the first SIGINT or SIGTERM, and return the function that stops listening. */
function onInterrupt(handler: (signal: NodeJS.Signals) => void): () => void {
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
