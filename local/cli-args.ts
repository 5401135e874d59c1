// Flags of the local entry points (npm start, npm run receiver): `--help` prints the usage and exits 0;
// an unknown or malformed flag prints one line and the usage and exits 2, never a stack trace.
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

export function parseFlags<T extends ParseArgsOptionsConfig>(
  options: T,
  usage: string,
  argv: string[] = process.argv.slice(2),
): ReturnType<typeof parseArgs<{ options: T }>>['values'] {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}\n`);
    process.exit(2);
  }
  if (values.help === true) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return values as ReturnType<typeof parseArgs<{ options: T }>>['values'];
}
