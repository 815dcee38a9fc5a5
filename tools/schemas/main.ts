/**
 * Generates the Kafka contract documents other systems read, from libs/contracts:
 * docs/schemas/<event>.v<N>.schema.json (JSON Schema draft-07), docs/asyncapi.json (AsyncAPI 3.0)
 * and the field table of docs/producers.md. Run from the repository root:
 *
 *   npm run build && npm run schemas             # rewrite what changed
 *   npm run build && npm run schemas -- --check  # exit 1 if the committed files are out of date
 */
import { findDrift, generateSchemaDocs, writeSchemaDocs } from './src/schema-docs';

function main(argv: readonly string[]): number {
  const root = process.cwd();
  const files = generateSchemaDocs(root);
  if (argv.includes('--check')) {
    const { changed, stale } = findDrift(root, files);
    if (changed.length === 0 && stale.length === 0) {
      console.log(`schemas: ${files.size} files up to date`);
      return 0;
    }
    for (const path of changed) console.error(`out of date: ${path}`);
    for (const path of stale) console.error(`no longer generated: ${path}`);
    console.error('run `npm run build && npm run schemas` and commit the result');
    return 1;
  }
  const { changed, stale } = writeSchemaDocs(root, files);
  for (const path of changed) console.log(`wrote ${path}`);
  for (const path of stale) console.log(`removed ${path}`);
  if (changed.length === 0 && stale.length === 0) console.log(`schemas: ${files.size} files up to date`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`schemas failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
