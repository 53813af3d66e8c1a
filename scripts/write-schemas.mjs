// Writes the JSON Schema of every file format (src/config/json-schema.ts) into schema/,
// the folder the package ships for editors. Run by `npm run build` after tsc.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonSchemaOf, schemaFileName, SCHEMA_NAMES } from '../dist/config/json-schema.js';

const dir = fileURLToPath(new URL('../schema/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const name of SCHEMA_NAMES) writeFileSync(`${dir}${schemaFileName(name)}`, `${JSON.stringify(jsonSchemaOf(name), null, 2)}\n`);
