// Reads the operator's configuration file (YAML or JSON). A missing file at the
// default path means the embedded defaults; an invalid file stops start-up with a
// message naming each key and what is wrong with it.
import { existsSync, readFileSync } from 'node:fs';
import { KioskConfig } from './config-schema.js';
import { parseGuardedYaml } from './yaml.js';

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
    raw = path.endsWith('.json') ? JSON.parse(text) : parseGuardedYaml(text);
  } catch (error) {
    throw new ConfigError(`configuration file ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { config: parseConfig(raw ?? {}, path), source: path };
}

export function parseConfig(raw: unknown, source = 'configuration'): KioskConfig {
  const result = KioskConfig.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  throw new ConfigError(`${source} is invalid:\n${problems.join('\n')}`);
}
