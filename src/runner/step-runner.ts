import { EventEmitter } from 'node:events';
import type { Chapter, Step } from '../course/chapter.js';
import type { Topology } from '../lab/topology.js';
import type { RunningLab } from '../providers/provider.js';
import { checksAfterStep, runChecks, type CheckResult } from './check-runner.js';

export interface StepHostResult {
  host: string;
  exitCode: number;
  timedOut: boolean;
  /** Ctrl-C or SIGTERM stopped the command. */
  interrupted: boolean;
  /** The exit code is what the step expects (zero, or non-zero for expect=fail). */
  ok: boolean;
  durationMs: number;
}

export interface RunnerEvents {
  'step-start': [step: Step];
  'command-start': [step: Step, host: string, script: string];
  output: [step: Step, host: string, stream: 'stdout' | 'stderr', chunk: string];
  'command-end': [step: Step, result: StepHostResult];
  'step-end': [step: Step, results: StepHostResult[]];
  'checks-start': [step: Step | undefined, count: number];
  'check-result': [result: CheckResult];
}

/**
 * Runs a chapter's steps and checks against a lab and reports through
 * events; the terminal UI, `overlab test` and the tests subscribe. It never
 * prompts: the caller decides which steps to run.
 */
export class ChapterRunner extends EventEmitter<RunnerEvents> {
  /** Values saved by earlier steps (save=NAME), set as shell variables for later ones. */
  readonly values: Record<string, string>;

  constructor(
    readonly lab: RunningLab,
    readonly chapter: Chapter,
    readonly topology: Topology,
    values: Record<string, string> = {},
  ) {
    super();
    this.values = { ...values };
  }

  /** Run a step's commands host by host, in book order, and stop at the first that fails. */
  async runStep(step: Step, signal?: AbortSignal): Promise<StepHostResult[]> {
    this.emit('step-start', step);
    const results: StepHostResult[] = [];
    for (const run of step.runs) {
      this.emit('command-start', step, run.host, run.script);
      const assignments = Object.entries(this.values).map(([name, value]) => `${name}=${shellQuote(value)}\n`);
      const result = await this.lab.script(run.host, `${assignments.join('')}${run.script}`, {
        timeoutMs: step.timeoutMs,
        signal,
        onStdout: (chunk) => this.emit('output', step, run.host, 'stdout', chunk),
        onStderr: (chunk) => this.emit('output', step, run.host, 'stderr', chunk),
      });
      const succeeded = result.exitCode === 0 && !result.timedOut && !result.interrupted;
      const stopped = result.timedOut || result.interrupted;
      const hostResult: StepHostResult = {
        host: run.host,
        exitCode: result.exitCode,
        timedOut: result.timedOut,
        interrupted: result.interrupted,
        ok: step.expectFailure ? !succeeded && !stopped : succeeded,
        durationMs: result.durationMs,
      };
      this.emit('command-end', step, hostResult);
      results.push(hostResult);
      if (!hostResult.ok) break;
      if (step.save) this.values[step.save] = result.stdout.trim();
    }
    this.emit('step-end', step, results);
    return results;
  }

  /** Run the checks that follow a step in the book. */
  async runStepChecks(step: Step): Promise<CheckResult[]> {
    const checks = checksAfterStep(this.chapter, step.id);
    if (checks.length === 0) return [];
    this.emit('checks-start', step, checks.length);
    const results = await runChecks(this.lab, this.chapter, this.topology, checks);
    for (const result of results) this.emit('check-result', result);
    return results;
  }

  /** Run every check of the chapter. */
  async runAllChecks(): Promise<CheckResult[]> {
    this.emit('checks-start', undefined, this.chapter.checks.length);
    const results = await runChecks(this.lab, this.chapter, this.topology);
    for (const result of results) this.emit('check-result', result);
    return results;
  }
}

/** Quote a value for bash so that it is taken literally. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function stepSucceeded(results: readonly StepHostResult[], step: Step): boolean {
  return results.length === step.runs.length && results.every((result) => result.ok);
}
