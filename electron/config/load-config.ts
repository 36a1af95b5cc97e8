// Reads the operator's configuration file (YAML or JSON). A missing file at the
// default path means the embedded defaults; an invalid file stops start-up with a
// message naming each key and what is wrong with it.
import { existsSync, readFileSync } from 'node:fs';
import { CST, Parser, parse as parseYaml } from 'yaml';
import { KioskConfig } from './config-schema.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadedConfig {
  config: KioskConfig;
  /** The file read, or null when the embedded defaults are in force. */
  source: string | null;
}

/**
 * @param path the file to read
 * @param required true when the operator named the file explicitly: then a missing file is an error
 */
export function loadConfig(path: string, required: boolean): LoadedConfig {
  if (!existsSync(path)) {
    if (required) throw new ConfigError(`configuration file ${path} does not exist`);
    return { config: KioskConfig.parse({}), source: null };
  }
  let raw: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    if (!path.endsWith('.json') && yamlNesting(text) > MAX_YAML_NESTING) throw new Error(`it nests deeper than ${MAX_YAML_NESTING} levels`);
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`configuration file ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { config: parseConfig(raw ?? {}, path), source: path };
}

/**
 * Far deeper than any configuration. The YAML composer recurses once per level: a
 * file nested a few hundred deep exhausts the stack, and there V8 can abort the
 * whole process (a fatal out-of-memory while compiling a RegExp) instead of throwing.
 */
const MAX_YAML_NESTING = 64;

/** How deep the YAML's collections nest, measured on the syntax tree without recursion. */
function yamlNesting(text: string): number {
  let deepest = 0;
  const pending: { token: CST.Token | null | undefined; depth: number }[] = [];
  for (const token of new Parser().parse(text)) pending.push({ token, depth: 0 });
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { token, depth } = next;
    deepest = Math.max(deepest, depth);
    if (token?.type === 'document') pending.push({ token: token.value, depth });
    else if (CST.isCollection(token)) for (const item of token.items) pending.push({ token: item.key, depth: depth + 1 }, { token: item.value, depth: depth + 1 });
  }
  return deepest;
}

export function parseConfig(raw: unknown, source = 'configuration'): KioskConfig {
  const result = KioskConfig.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  throw new ConfigError(`${source} is invalid:\n${problems.join('\n')}`);
}
