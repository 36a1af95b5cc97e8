// YAML as the kiosk reads it (its configuration, the tariff tool's files): parsed only
// when it nests to a sane depth, since the parser recurses once per level.
import { CST, Parser, parse as parseYaml } from 'yaml';

/**
 * Far deeper than any configuration. The YAML composer recurses once per level: a
 * file nested a few hundred deep exhausts the stack, and there V8 can abort the
 * whole process (a fatal out-of-memory while compiling a RegExp) instead of throwing.
 */
const MAX_YAML_NESTING = 64;

/** Parses YAML, refusing a file nested too deep to parse safely; warnings are not printed, errors throw. */
export function parseGuardedYaml(text: string): unknown {
  if (yamlNesting(text) > MAX_YAML_NESTING) throw new Error(`it nests deeper than ${MAX_YAML_NESTING} levels`);
  return parseYaml(text, { logLevel: 'error' });
}

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
