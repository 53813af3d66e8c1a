/**
 * Runs a zod schema over part of a YAML file and turns every zod issue into a
 * located FileProblem. Schemas give hints ("use high, normal or low") as
 * their error messages; this module adds what was wrong and where.
 */
import { z } from 'zod';
import type { FileProblem } from '../errors.js';
import { orList, unknownKeyMessage } from './suggest.js';
import { showValue } from './units.js';
import type { Path, PathKey, YamlSource } from './yaml-source.js';

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

/**
 * A strict object: unknown keys are errors, each reported at its key with a
 * "did you mean" or the list of allowed keys. Keys of one issue are joined by
 * newlines, one message per key, in the order of `issue.keys`.
 */
export function strict<S extends z.core.$ZodLooseShape>(shape: S, hint?: string) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss: RawIssue) => {
      if (iss.code === 'unrecognized_keys') return iss.keys.map((k) => unknownKeyMessage(k, allowed)).join('\n');
      if (iss.code === 'invalid_type' && hint !== undefined) return hint;
      return undefined;
    },
  });
}

function describeType(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
      return 'a map';
    case 'array':
      return 'a list';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    default:
      return `a ${expected}`;
  }
}

/** The hint a schema gives when it does not give its own. */
function defaultHint(iss: RawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      return `use ${describeType(iss.expected)}`;
    case 'invalid_value':
      return `use ${orList(iss.values.map((v) => String(v)))}`;
    case 'too_small':
      if (iss.origin === 'array') return `use at least ${iss.minimum} item${iss.minimum === 1 ? '' : 's'}`;
      if (iss.origin === 'string') return 'must not be empty';
      return `use a number of at least ${iss.minimum}`;
    case 'too_big':
      if (iss.origin === 'array') return `use at most ${iss.maximum} items`;
      if (iss.origin === 'string') return `use at most ${iss.maximum} characters`;
      return `use a number of at most ${iss.maximum}`;
    default:
      return undefined;
  }
}

/** How a path is named in a message: `priority`, `after item`, `agent "pm"`. */
function label(path: readonly PathKey[], rootLabel: string): string {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (last === undefined) return rootLabel;
  if (typeof last === 'number') return typeof parent === 'string' ? `${parent} item` : 'item';
  if (parent === 'agents' && path.length === 2) return `agent ${JSON.stringify(last)}`;
  if (parent === 'env') return `env ${last}`;
  return last;
}

function isPlainMap(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A union failed: if exactly one branch matched the value's shape, its issues are the real ones. */
function unionBranch(errors: readonly Issue[][], input: unknown): Issue[] | null {
  if (!isPlainMap(input) && !Array.isArray(input)) return null;
  const deep = errors.filter((branch) => branch.some((i) => i.path.length > 0 || i.code === 'unrecognized_keys'));
  return deep.length === 1 ? (deep[0] ?? null) : null;
}

function toProblems(issue: Issue, base: Path, src: YamlSource, rootLabel: string): FileProblem[] {
  const path: PathKey[] = [...base, ...issue.path.map((k) => (typeof k === 'number' ? k : String(k)))];
  const bad = (hint: string) => `bad ${label(path, rootLabel)} ${showValue(issue.input)}: ${hint}`;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const messages = issue.message.split('\n');
      return issue.keys.map((k, i) => src.problem([...path, k], messages[i] ?? `unknown key ${JSON.stringify(k)}`, 'key'));
    }
    case 'invalid_key': {
      const hint = issue.issues[0]?.message ?? 'not allowed here';
      const what = path[path.length - 2] === 'env' ? 'env name' : 'key';
      return [src.problem(path, `bad ${what} ${showValue(issue.input)}: ${hint}`, 'key')];
    }
    case 'invalid_union': {
      const branch = unionBranch(issue.errors, issue.input);
      if (branch) return branch.flatMap((i) => toProblems(i, path, src, rootLabel));
      return [src.problem(path, bad(issue.message))];
    }
    case 'custom':
      return [src.problem(path, issue.message)];
    case 'invalid_type':
      if (issue.input === undefined) return [src.problem(path, `missing ${JSON.stringify(path[path.length - 1] ?? '')}`)];
      return [src.problem(path, bad(issue.message))];
    default:
      return [src.problem(path, bad(issue.message))];
  }
}

/** The result of checking one part of a file. */
export type Checked<T> = { ok: true; data: T; problems: [] } | { ok: false; data: null; problems: FileProblem[] };

/**
 * Checks `value` (found at `path` in `src`) against `schema`. Every issue
 * becomes a problem at its node; `rootLabel` names the value itself.
 */
export function check<T>(schema: z.ZodType<T>, value: unknown, src: YamlSource, path: Path, rootLabel: string): Checked<T> {
  const result = schema.safeParse(value, { reportInput: true, error: defaultHint });
  if (result.success) return { ok: true, data: result.data, problems: [] };
  return { ok: false, data: null, problems: result.error.issues.flatMap((i) => toProblems(i, path, src, rootLabel)) };
}
