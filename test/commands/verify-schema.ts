import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';

const schema = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../docs/verify-report.schema.json'), 'utf8')) as object;

/** Validate a report against docs/verify-report.schema.json and return the errors. */
export function schemaErrors(report: unknown): string[] {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  return validate(report) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}
