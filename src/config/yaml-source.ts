/**
 * A parsed YAML file that remembers where each node came from, so that every
 * problem can be reported as `FILE:LINE:COL: message` at the node at fault.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Alias, Document, Node as YamlNode, Pair } from 'yaml';
import type { FileProblem } from '../errors.js';

/** One step of a Path. */
export type PathKey = string | number;
/** A path into the parsed value: map keys and list indexes. */
export type Path = readonly PathKey[];

/** Which part of a map entry a problem points at. */
export type Where = 'key' | 'value';

/** One parsed file: its value and a way to locate problems in it. */
export interface YamlSource {
  /** the file as shown in problems (relative to the project when inside it) */
  readonly file: string;
  /** the plain JS value of the document (undefined when it has syntax errors) */
  readonly value: unknown;
  /** YAML syntax errors; when there are any, `value` is undefined */
  readonly syntaxProblems: FileProblem[];
  /** A problem located at the node under `path` (its key or its value). */
  problem(path: Path, message: string, where?: Where): FileProblem;
}

/** A problem at the first character of a file (for files that are missing or empty). */
export function problemAtStart(file: string, message: string): FileProblem {
  return { file, line: 1, col: 1, message };
}

/** How many times aliases may be expanded in one file (an alias bomb stops here). */
export const MAX_ALIAS_COUNT = 1000;

/**
 * Parses YAML text; `file` is the name shown in problems. Nothing the YAML library
 * raises escapes: syntax errors, alias bombs ("billion laughs"), aliases to anchors that
 * do not exist, bad merge keys and documents nested too deep all become problems at a
 * FILE:LINE:COL.
 */
export function parseYamlSource(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  const at = (offset: number, message: string): FileProblem => {
    const { line, col } = lines.linePos(offset);
    return { file, line, col, message };
  };
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  } catch (err) {
    const problem = at(0, `yaml error: ${errorText(err)}`);
    return { file, value: undefined, syntaxProblems: [problem], problem: () => problem };
  }
  // A document nested too deeply fails at many places at once: its first is enough.
  const errors = doc.errors.filter((e, i, all) => e.code !== 'RESOURCE_EXHAUSTION' || all.findIndex((x) => x.code === e.code) === i);
  const syntaxProblems = errors.map((e) => at(e.pos[0], syntaxMessage(e.code, e.message, text.slice(e.pos[0]))));
  let value: unknown;
  if (syntaxProblems.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      const { offset, message } = conversionProblem(doc, err);
      syntaxProblems.push(at(offset, message));
    }
  }
  return {
    file,
    value,
    syntaxProblems,
    problem: (path, message, where = 'value') => at(locate(doc, path, where), message),
  };
}

function errorText(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
  return `${text.charAt(0).toLowerCase()}${text.slice(1)}`;
}

/** Where and why turning the document into a value failed (the library throws plain errors here). */
function conversionProblem(doc: Document, err: unknown): { offset: number; message: string } {
  const text = err instanceof Error ? err.message : String(err);
  const aliases: Alias[] = [];
  const merges: number[] = [];
  visit(doc, {
    Alias: (_, node) => void aliases.push(node),
    Pair: (_, pair) => {
      if (isScalar(pair.key) && (pair.key as { source?: string }).source === '<<') merges.push(start(pair.key as YamlNode) ?? 0);
    },
  });
  const offsetOf = (node: YamlNode | undefined) => start(node) ?? 0;
  if (/excessive alias count/i.test(text)) {
    // The alias that multiplies: the first whose anchor itself holds aliases.
    const amplifier = aliases.find((a) => {
      const target = a.resolve(doc);
      let nested = false;
      if (target) visit(target, { Alias: () => ((nested = true), visit.BREAK) });
      return nested;
    });
    return {
      offset: offsetOf(amplifier ?? aliases[0]),
      message: `yaml error: aliases expand to more than ${MAX_ALIAS_COUNT} nodes (an alias bomb?): write the values out or use fewer aliases`,
    };
  }
  const unresolved = /unresolved alias[^:]*:\s*(\S+)/i.exec(text)?.[1];
  if (unresolved !== undefined) {
    const alias = aliases.find((a) => a.source === unresolved);
    return { offset: offsetOf(alias), message: `yaml error: alias *${unresolved} has no anchor &${unresolved} before it` };
  }
  if (/merge/i.test(text)) return { offset: merges[0] ?? 0, message: 'yaml error: a merge key (<<) takes a map or a list of maps' };
  return { offset: offsetOf((doc.contents as YamlNode | null) ?? undefined), message: `yaml error: ${errorText(err)}` };
}

/** A readable message for a YAML error; `rest` is the text from where it was found. */
function syntaxMessage(code: string, message: string, rest: string): string {
  if (code === 'DUPLICATE_KEY') {
    const key = /^("[^"\n]*"|'[^'\n]*'|[^:\n]+?)\s*:/.exec(rest)?.[1]?.replace(/^["']|["']$/g, '');
    return key === undefined ? 'duplicate key: each key may appear once' : `duplicate key ${JSON.stringify(key)}: each key may appear once`;
  }
  if (code === 'MULTIPLE_DOCS') return 'more than one YAML document: remove the "---" line';
  if (code === 'RESOURCE_EXHAUSTION') return 'yaml error: the document is nested too deeply (or too large) to read';
  const text = message.split('\n')[0] ?? message;
  return `yaml syntax error: ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
}

function start(node: YamlNode | null | undefined): number | null {
  return node?.range ? node.range[0] : null;
}

function keyText(pair: Pair): string | null {
  return isScalar(pair.key) ? String(pair.key.value) : null;
}

/**
 * The offset of the node under `path`. When the path goes further than the
 * document, the deepest node that exists is used (for a missing key, the key
 * of the map that lacks it).
 */
function locate(doc: Document, path: Path, where: Where): number {
  let node: unknown = doc.contents;
  let best = start(doc.contents as YamlNode | null) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (isAlias(node)) node = node.resolve(doc);
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p) === String(key));
      if (!pair) return best;
      const keyAt = start(pair.key as YamlNode | null);
      const valueAt = start(pair.value as YamlNode | null);
      best = keyAt ?? best;
      if (last) return where === 'key' ? best : (valueAt ?? best);
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key];
      const itemAt = start(item as YamlNode | null);
      if (itemAt === null) return best;
      best = itemAt;
      node = item;
    } else {
      return best;
    }
  }
  return best;
}
