import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { VENDORS } from '../catalog/index.ts';
import { VENDOR_REGISTRY } from './registry.ts';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe("the README's table of LMS API settings", () => {
  it.each(VENDORS)('names every setting the %s client reads', (vendor) => {
    const row = README.split('\n').find((line) => line.startsWith(`| \`${vendor}\` |`));
    expect(row, `a README row for ${vendor}`).toBeDefined();
    const { api } = VENDOR_REGISTRY[vendor];
    const json = api ? z.toJSONSchema(api.settingsSchema, { io: 'input', unrepresentable: 'any' }) : { properties: {} };
    for (const key of Object.keys(json.properties ?? {})) expect(row).toContain(`\`${key}\``);
  });
});
