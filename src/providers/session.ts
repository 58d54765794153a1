/**
 * Commands on a host that overlab reaches through a daemon (a Docker engine
 * or sshd) run in a session of their own, and the session ID goes to a file.
 * A timeout or Ctrl-C then kills every process of the command inside the
 * host, because killing overlab's end of a `docker exec` or of an SSH
 * channel without a terminal does not stop what runs on the other side.
 */

/** Wrap argv so that it runs in a new session recorded under token. */
export function inSession(token: string, argv: readonly string[]): string[] {
  return ['setsid', '--wait', 'sh', '-c', 'f="/run/overlab-exec.$0"; echo $$ >"$f"; "$@"; status=$?; rm -f "$f"; exit $status', token, ...argv];
}

/** Return the command that kills the session recorded under token. */
export function killSession(token: string): string[] {
  return ['sh', '-c', 'f="/run/overlab-exec.$0"; pkill -KILL --session "$(cat "$f")"; rm -f "$f"', token];
}

/** Remove the line setsid prints when the command it waits for was killed. */
export function withoutSetsidNotice(stderr: string): string {
  return stderr.replace(/^setsid: child \d+ did not exit normally.*\n?/m, '');
}

/** The early end of a command watched by watchCommand: a timeout, an interruption, or neither. */
export interface CommandWatch {
  readonly timedOut: boolean;
  readonly interrupted: boolean;
  /** Stop watching, once the command has ended. */
  dispose(): void;
}

/**
 * Call stop when the command runs past timeoutMs or the signal aborts, and
 * record which of the two happened.
 */
export function watchCommand(options: { timeoutMs?: number; signal?: AbortSignal }, stop: () => void): CommandWatch {
  const watch = { timedOut: false, interrupted: false, dispose: () => undefined as void };
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          watch.timedOut = true;
          stop();
        }, options.timeoutMs);
  const onAbort = () => {
    watch.interrupted = true;
    stop();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  watch.dispose = () => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  };
  return watch;
}
