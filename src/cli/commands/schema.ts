/** `muster schema [team|layout|project]`: the JSON Schema of a file format (docs/commands.md). */
import { jsonSchemaOf, SCHEMA_NAMES, type SchemaName } from '../../config/json-schema.js';
import { UsageError } from '../../errors.js';
import { writeLine, type CliContext } from '../context.js';

export function runSchema(ctx: CliContext, name = 'team'): number {
  if (!(SCHEMA_NAMES as string[]).includes(name)) {
    throw new UsageError(`no schema "${name}"`, `Use one of: ${SCHEMA_NAMES.join(', ')}.`);
  }
  writeLine(ctx.stdout, JSON.stringify(jsonSchemaOf(name as SchemaName), null, 2));
  return 0;
}
