// What the operator's command-line tools share (`npm run tariff`, `npm run accounts`):
// a refusal is one line on standard error and exit code 2, never a stack trace; output
// cut short by the reader (`| head`) ends the tool quietly; the kiosk's --config and
// --data are read as the kiosk reads them.
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { KioskConfig } from '../electron/config/config-schema.js';
import { loadConfig } from '../electron/config/load-config.js';
import { KioskStore } from '../electron/store/kiosk-store.js';

/** A refusal the tool words itself: its message is the one line the operator reads. */
export class Failure extends Error {}

/** Control characters escaped, so that a message stays one line a terminal shows as it is. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/** The first line of an error's message, printable. */
export function oneLine(error: unknown): string {
  return printable((error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim());
}

/**
 * Runs a tool's `main` and sets the exit code: its own, 2 for a refusal (`Failure`, or an
 * error `isRefusal` accepts), `unexpectedExit` for anything else, each error one line
 * after `name:`.
 */
export async function runTool(name: string, main: () => number | Promise<number>, options: { isRefusal?: (error: unknown) => boolean; unexpectedExit?: number } = {}): Promise<void> {
  // A reader that stops early (`| head`) closes the pipe: nothing is left to say, and no stack trace.
  process.stdout.on('error', () => process.exit(process.exitCode ?? 0));
  try {
    process.exitCode = await main();
  } catch (error) {
    const refused = error instanceof Failure || (options.isRefusal?.(error) ?? false);
    process.stderr.write(`${name}: ${refused ? printable((error as Error).message) : `unexpected error: ${oneLine(error)}`}\n`);
    process.exitCode = refused ? 2 : (options.unexpectedExit ?? 1);
  }
}

/** A `parseArgs` error as the refusal the operator reads (`tool --help` lists the options). */
export function argumentFailure(tool: string, error: unknown): Failure {
  const option = /'(-[^' ]+)/.exec(oneLine(error))?.[1];
  const code = (error as { code?: string }).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return new Failure(`unknown option ${option} (${tool} --help lists them)`);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) return new Failure(`${option} needs a value (a value starting with "-": ${option}=VALUE)`);
  return new Failure(oneLine(error));
}

/** npm runs scripts in the package root: the operator's relative paths are read from where they typed them. */
export function fromOperatorsDirectory(script: string): void {
  if (process.env.npm_lifecycle_event === script && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
}

/**
 * The kiosk's configuration as the kiosk itself reads it: `--config`, else KIOSK_CONFIG,
 * else ./kiosk.yaml (the embedded defaults when that default file is absent). A bad file
 * is one line: "… is invalid: key: problem; key: problem".
 */
export function kioskConfigOf(option: string | undefined): KioskConfig {
  const named = option ?? process.env.KIOSK_CONFIG;
  try {
    return loadConfig(path.resolve(named ?? 'kiosk.yaml'), named !== undefined).config;
  } catch (error) {
    // A parser's code frame after its first line is left out.
    const [first = '', ...more] = (error instanceof Error ? error.message : String(error)).split('\n').map((line) => line.trim());
    if (!first.endsWith('is invalid:')) throw new Failure(printable(first.replace(/:$/, '')));
    throw new Failure(printable([first, more.filter(Boolean).join('; ')].filter(Boolean).join(' ')));
  }
}

/** The kiosk's data folder as the kiosk reads it: `--data`, else KIOSK_DATA_DIR, else ./data; it must exist. */
export function kioskDataDirOf(option: string | undefined): string {
  const dataDir = path.resolve(option ?? process.env.KIOSK_DATA_DIR ?? 'data');
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) throw new Failure(`the data folder ${dataDir} does not exist (give the kiosk's with --data)`);
  return dataDir;
}

/**
 * A tool's arguments, read from where the operator typed them: unknown options and missing
 * values refused in one line; `--help` prints `usage` and answers null (the tool exits 0).
 */
export function toolArguments<const O extends NonNullable<ParseArgsConfig['options']>>(tool: string, args: string[], options: O, usage: string) {
  fromOperatorsDirectory(tool);
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw argumentFailure(tool, error);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    return null;
  }
  return parsed;
}

/**
 * The kiosk's database in its data folder: read-only for the tools that only read (they
 * work while the kiosk runs), else for writing (WAL: beside the running kiosk too).
 */
export function openKioskStore(dataDir: string, mode: 'read' | 'write'): KioskStore {
  const file = path.join(dataDir, 'kiosk.sqlite');
  if (mode === 'read' && !existsSync(file)) throw new Failure(`the data folder ${dataDir} has no kiosk database (kiosk.sqlite)`);
  try {
    return mode === 'read' ? KioskStore.openReadOnly(file) : KioskStore.open(file);
  } catch (error) {
    throw new Failure(`the database in ${dataDir} cannot be opened: ${oneLine(error)}`);
  }
}

/** Who runs the tool, for the audit log: `cli:<user name>`. */
export function toolUser(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return `cli:${process.env.USER ?? 'unknown'}`; // no passwd entry (some containers)
  }
}

/**
 * Beside the target, then renamed over it: a reader of FILE sees the old file or the new
 * one, never half; on disk before it takes the name, so a power cut leaves the old one.
 */
export function writeFileAtomically(file: string, text: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temporary, 'wx');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new Failure(`cannot write ${printable(file)}: ${oneLine(error)}`);
  }
}
