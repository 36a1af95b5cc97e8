// The published JSON Schema of the configuration file (kiosk.schema.json, for editors
// and operators' tooling) is generated from the zod schema; this keeps it from rotting.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { KioskConfig } from '../../../electron/config/config-schema.js';

describe('kiosk.schema.json', () => {
  it('is what `npm run config:schema` generates from the configuration schema', () => {
    const published = JSON.parse(readFileSync('kiosk.schema.json', 'utf8'));
    expect(published).toEqual(JSON.parse(JSON.stringify(z.toJSONSchema(KioskConfig, { io: 'input' }))));
  });
});
