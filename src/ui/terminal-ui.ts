import * as clack from '@clack/prompts';
import type { Readable, Writable } from 'node:stream';
import type { Step } from '../course/chapter.js';
import type { CheckResult } from '../runner/check-runner.js';
import type { ChapterRunner, StepHostResult } from '../runner/step-runner.js';
import { renderProse } from './prose.js';
import { stylerFor } from './style.js';

export type StepChoice = 'run' | 'skip' | 'quit';

/**
 * The learner's view of `overlab start`: it subscribes to a runner's events
 * and prints them, and asks before each step in interactive mode. Streams
 * are parameters so that tests can drive it.
 */
export class TerminalUi {
  private readonly style: ReturnType<typeof stylerFor>;
  private readonly width: number;
  private partial = new Map<string, string>();

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
  ) {
    this.style = stylerFor(output);
    this.width = Math.min(100, Math.max(40, ((output as NodeJS.WriteStream).columns ?? 80) - 6));
  }

  subscribe(runner: ChapterRunner): void {
    runner.on('step-start', () => this.discardInput(true));
    runner.on('step-end', () => this.discardInput(false));
    runner.on('command-start', (_step, host, script) => this.printCommand(host, script));
    runner.on('output', (_step, host, _stream, chunk) => this.printOutput(host, chunk));
    runner.on('command-end', (step, result) => this.printCommandEnd(step, result));
    runner.on('check-result', (result) => this.printCheck(result));
  }

  intro(title: string): void {
    clack.intro(this.style('bold', title), { output: this.output });
  }

  outro(message: string): void {
    clack.outro(message, { output: this.output });
  }

  info(message: string): void {
    clack.log.info(message, { output: this.output });
  }

  warn(message: string): void {
    clack.log.warn(message, { output: this.output });
  }

  prose(markdown: string): void {
    if (markdown.trim()) this.write(`${renderProse(markdown, this.style, this.width)}\n\n`);
  }

  stepHeader(step: Step, index: number, total: number): void {
    clack.log.step(`${this.style('bold', `Step ${index + 1}/${total}: ${step.title}`)} ${this.style('dim', `(${step.id})`)}`, { output: this.output });
  }

  stepDone(step: Step): void {
    clack.log.success(`${step.id}: already done in this lab, skipped`, { output: this.output });
  }

  /**
   * Drop what the learner types while a step runs. Otherwise a key pressed
   * during a long ping waits in the terminal's buffer and answers the next
   * prompt. Ctrl-C still works because the terminal is in cooked mode then.
   */
  private discardInput(on: boolean): void {
    if (!(this.input as NodeJS.ReadStream).isTTY) return;
    if (on) {
      this.input.on('data', this.ignore);
      this.input.resume();
    } else {
      this.input.off('data', this.ignore);
      this.input.pause();
    }
  }

  private readonly ignore = (): void => undefined;

  /** Show a step's commands per host and ask what to do. */
  async askStep(step: Step): Promise<StepChoice> {
    for (const run of step.runs) this.printCommand(run.host, run.script);
    const choice = await clack.select<StepChoice>({
      message: step.expectFailure ? 'Run it? (this one is expected to fail)' : 'Run it?',
      options: [
        { value: 'run', label: 'Run' },
        { value: 'skip', label: 'Skip', hint: 'type it yourself in "overlab shell"' },
        { value: 'quit', label: 'Quit', hint: 'progress is kept; start again to resume' },
      ],
      input: this.input,
      output: this.output,
    });
    return clack.isCancel(choice) ? 'quit' : choice;
  }

  /** Ask what to do about a step that an earlier run left half done. */
  async askRecreate(step: string): Promise<boolean> {
    const choice = await clack.select<'recreate' | 'continue'>({
      message: `Step ${step} was interrupted in the last run and may have run in part.`,
      options: [
        { value: 'recreate', label: 'Recreate the lab and start the chapter again' },
        { value: 'continue', label: `Run ${step} again over what it left`, hint: 'it may fail with "File exists"' },
      ],
      input: this.input,
      output: this.output,
    });
    return clack.isCancel(choice) || choice === 'recreate';
  }

  /** Ask whether to keep a lab after an interruption. */
  async askKeepLab(): Promise<boolean> {
    const keep = await clack.confirm({ message: 'Keep the lab running?', initialValue: true, input: this.input, output: this.output });
    return clack.isCancel(keep) ? true : keep;
  }

  printCommand(host: string, script: string): void {
    const prompt = this.style('dim', `root@${host}:~#`);
    this.write(`${script.split('\n').map((line) => `${prompt} ${this.style('cyan', line)}`).join('\n')}\n`);
  }

  private printOutput(host: string, chunk: string): void {
    const text = (this.partial.get(host) ?? '') + chunk;
    const lines = text.split('\n');
    this.partial.set(host, lines.pop() ?? '');
    for (const line of lines) this.write(`${this.style('dim', `${host} │`)} ${line}\n`);
  }

  private printCommandEnd(step: Step, result: StepHostResult): void {
    const rest = this.partial.get(result.host);
    if (rest) this.write(`${this.style('dim', `${result.host} │`)} ${rest}\n`);
    this.partial.delete(result.host);
    const seconds = (result.durationMs / 1000).toFixed(1);
    if (result.interrupted) {
      clack.log.warn(`${step.id} on ${result.host} was stopped after ${seconds} s`, { output: this.output });
    } else if (result.timedOut) {
      clack.log.error(`${step.id} on ${result.host} timed out after ${seconds} s`, { output: this.output });
    } else if (!result.ok) {
      const expectation = step.expectFailure ? 'was expected to fail but succeeded' : `failed with exit code ${result.exitCode}`;
      clack.log.error(`${step.id} on ${result.host} ${expectation}`, { output: this.output });
    } else if (step.expectFailure) {
      clack.log.info(`${step.id} on ${result.host} failed as expected (exit code ${result.exitCode}, ${seconds} s)`, { output: this.output });
    }
  }

  printCheck(result: CheckResult): void {
    const mark = result.status === 'pass' ? this.style('bold', '✔') : '✘';
    const line = `${mark} ${result.title} ${this.style('dim', `[${result.host}]`)}`;
    if (result.status === 'pass') {
      clack.log.success(line, { output: this.output });
      return;
    }
    const details = [`  ${result.message}`];
    if (result.expected) details.push(`  expected: ${result.expected}`);
    if (result.found) details.push(`  found:    ${result.found}`);
    if (result.hint) details.push(`  hint:     ${result.hint}`);
    clack.log.error(`${line}\n${details.join('\n')}`, { output: this.output });
  }

  private write(text: string): void {
    this.output.write(text);
  }
}
