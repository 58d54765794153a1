/** The model of a chapter, parsed from book/<id>.md; it imports no provider. */

export type HostVars = Record<string, string>;

/** The file and line of a fenced block, for error messages. */
export interface SourceLocation {
  file: string;
  line: number;
}

/** The commands of one step for one host: run as written with bash -e. */
export interface StepRun {
  host: string;
  script: string;
  location: SourceLocation;
}

export interface Step {
  id: string;
  /** The heading the step sits under. */
  title: string;
  /** The Markdown prose that leads to this step: from the previous block, or from the last heading before it. */
  explanation: string;
  /** The prose after this step up to the next heading or step: what its output shows. */
  afterword: string;
  runs: StepRun[];
  /** The step shows a failure (a ping that cannot work yet): a non-zero exit is expected. */
  expectFailure: boolean;
  /** The step only shows something; no check is meant to notice when it is skipped. */
  explanatory: boolean;
  timeoutMs: number;
  /** Store the step's trimmed stdout under this name; later steps see it as an environment variable. */
  save?: string;
  /** The control-plane modes the step belongs to; undefined for every mode. */
  modes?: string[];
  location: SourceLocation;
}

export interface CheckSpec {
  id: string;
  /** The check kind, from the key that names what it inspects (link, neighbour, fdb, ...). */
  kind: string;
  hosts: string[];
  /** The YAML body, with ${...} still unresolved; resolved per host when the check runs. */
  body: Record<string, unknown>;
  title: string;
  hint?: string;
  /** The step this check follows in the book; undefined for checks placed before every step. */
  afterStep?: string;
  /** Points the check is worth in `overlab verify`'s score; 1 unless the body sets `weight`. */
  weight: number;
  /** The check passes on a fresh lab too (it guards against a wrong turn rather than proving a step). */
  holdsAtStart: boolean;
  /** The control-plane modes the check belongs to; undefined for every mode. */
  modes?: string[];
  location: SourceLocation;
}

/** One way to run a chapter, e.g. Docker's classic or swarm control plane. */
export interface ChapterMode {
  name: string;
  /** labs/<topology>.json for this mode. */
  topology: string;
  description: string;
  /** A capability of the machine the mode needs, e.g. docker-cluster-store. */
  requires?: string;
}

export interface Chapter {
  id: string;
  title: string;
  summary: string;
  file: string;
  /** labs/<topology>.json; for a chapter with modes, the topology of the mode it was loaded in. */
  topology: string;
  /** The chapter's modes, empty when it has one way to run. */
  modes: ChapterMode[];
  /** The mode this copy of the chapter is filtered to. */
  mode?: string;
  /** Variables per host for checks, from the front matter. */
  vars: Record<string, HostVars>;
  intro: string;
  steps: Step[];
  checks: CheckSpec[];
}
