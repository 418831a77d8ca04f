/**
 * GitHub workflow validation offline. SchemaStore's github-workflow.json (the
 * JSON Schema editors and linters use for workflow files) ships inside
 * @action-validator/core, compiled into its wasm module; we read it from there
 * and validate with Ajv. The package's own validator (the Rust jsonschema
 * crate, same schema) is a second opinion.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject } from 'ajv';
import formats from 'ajv-formats';

// ajv-formats is CommonJS: its plugin is the module's `default` property under both TypeScript and Node.
const addFormats = formats.default;

const require = createRequire(import.meta.url);
const SCHEMA_ID = '"$id": "https://json.schemastore.org/github-workflow.json"';

/** The JSON text of the object that contains `marker`, scanned out of a binary. */
function embeddedJson(binary: string, marker: string): string {
  const at = binary.indexOf(marker);
  if (at < 0) throw new Error(`no ${marker} in the binary`);
  const start = binary.lastIndexOf('{\n', at);
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < binary.length; i++) {
    const c = binary[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return Buffer.from(binary.slice(start, i + 1), 'latin1').toString('utf8');
  }
  throw new Error('unterminated JSON object');
}

/** SchemaStore's GitHub workflow schema (draft-07). */
export function githubWorkflowSchema(): Record<string, unknown> {
  const wasm = readFileSync(require.resolve('@action-validator/core/action_validator_bg.wasm')).toString('latin1');
  return JSON.parse(embeddedJson(wasm, SCHEMA_ID)) as Record<string, unknown>;
}

/** A validator for parsed workflow documents; returns Ajv's errors (empty when valid). */
export function workflowValidator(): (workflow: unknown) => ErrorObject[] {
  // The schema uses keywords and unions Ajv's strict mode rejects (as SchemaStore's own CI notes).
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(githubWorkflowSchema());
  return (workflow) => (validate(workflow) ? [] : [...(validate.errors ?? [])]);
}

interface ActionValidator {
  validateWorkflow(src: string): { errors: unknown[] };
}

/** action-validator's own check of a workflow file's text (same schema, the Rust jsonschema crate). */
export function actionValidatorErrors(source: string): unknown[] {
  return (require('@action-validator/core') as ActionValidator).validateWorkflow(source).errors;
}
