/**
 * A parsed YAML file that remembers where each node came from, so that every
 * problem can be reported as `FILE:LINE:COL: message` at the node at fault.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node as YamlNode, Pair } from 'yaml';
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

/** Parses YAML text; `file` is the name shown in problems. */
export function parseYamlSource(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const at = (offset: number, message: string): FileProblem => {
    const { line, col } = lines.linePos(offset);
    return { file, line, col, message };
  };
  const syntaxProblems = doc.errors.map((e) => at(e.pos[0], syntaxMessage(e.code, e.message, text.slice(e.pos[0]))));
  const value: unknown = syntaxProblems.length > 0 ? undefined : doc.toJS({ maxAliasCount: 1000 });
  return {
    file,
    value,
    syntaxProblems,
    problem: (path, message, where = 'value') => at(locate(doc, path, where), message),
  };
}

/** A readable message for a YAML error; `rest` is the text from where it was found. */
function syntaxMessage(code: string, message: string, rest: string): string {
  if (code === 'DUPLICATE_KEY') {
    const key = /^("[^"\n]*"|'[^'\n]*'|[^:\n]+?)\s*:/.exec(rest)?.[1]?.replace(/^["']|["']$/g, '');
    return key === undefined ? 'duplicate key: each key may appear once' : `duplicate key ${JSON.stringify(key)}: each key may appear once`;
  }
  if (code === 'MULTIPLE_DOCS') return 'more than one YAML document: remove the "---" line';
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
