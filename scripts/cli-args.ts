import { parseArgs, type ParseArgsConfig } from "node:util";

/** Parses CLI flags; on a usage error prints it and the usage line to stderr and exits 2. */
export function parseCli<T extends NonNullable<ParseArgsConfig["options"]>>(options: T, usage: string) {
  try {
    return parseArgs({ options, args: process.argv.slice(2), allowPositionals: false, strict: true }).values;
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}\nusage: ${usage}`);
  }
}

export function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}
