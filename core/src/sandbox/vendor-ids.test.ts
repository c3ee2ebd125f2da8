import { describe, expect, it } from 'vitest';
import { VENDORS } from '../catalog/index.ts';
import { sandboxId, vendorId } from './vendor-ids.ts';

describe('sandbox vendor ids', () => {
  it('show ids in each vendor format', () => {
    expect(vendorId('absorb', 'user', 1001)).toBe('a1000000-0000-4000-8000-0000000003e9');
    expect(vendorId('adobe-alm', 'course', 501, 'learning_path')).toBe('learningProgram:501');
    expect(vendorId('adobe-alm', 'course', 502, 'online_course')).toBe('course:502');
    expect(vendorId('adobe-alm', 'user', 1001)).toBe('1001');
    expect(vendorId('seismic-learning', 'course', 7)).toBe('7');
  });

  it('map every vendor id back to the sandbox id', () => {
    for (const vendor of VENDORS) {
      for (const entity of ['user', 'course', 'enrollment'] as const) {
        expect(sandboxId(vendor, entity, vendorId(vendor, entity, 1234, 'certification'))).toBe(1234);
      }
    }
  });

  it('answer null for ids the sandbox never gave out', () => {
    expect(sandboxId('absorb', 'user', 'c0000000-0000-4000-8000-0000000003e9')).toBeNull();
    expect(sandboxId('adobe-alm', 'course', 'jobAid:5')).toBeNull();
    expect(sandboxId('learn365', 'user', 'abc')).toBeNull();
  });
});
