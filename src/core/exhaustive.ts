/**
 * The `default` of a `switch` that handles every case of a union: with a case added to the
 * union and not to the switch, the call no longer compiles.
 */
export function unreachable(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
