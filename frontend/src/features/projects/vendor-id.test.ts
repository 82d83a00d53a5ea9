import { describe, expect, it } from 'vitest';
import { vendorIdProblem, vendorName } from './vendor-id';

const VENDOR = '8c3f6a0e-1d2b-5c4a-8e9f-102030405060';
const OTHER = '11111111-2222-5333-8444-555555555555';

describe('vendorIdProblem', () => {
  it('accepts a vendor the task is not shared with yet, in any case and spacing', () => {
    expect(vendorIdProblem(VENDOR, [])).toBeNull();
    expect(vendorIdProblem(`  ${VENDOR.toUpperCase()} `, [OTHER])).toBeNull();
  });

  it('refuses no choice and a vendor already shared with', () => {
    expect(vendorIdProblem('  ', [])).toBe('empty');
    expect(vendorIdProblem(VENDOR, [VENDOR])).toBe('already');
    expect(vendorIdProblem(VENDOR.toUpperCase(), [OTHER, VENDOR])).toBe('already');
  });
});

describe('vendorName', () => {
  const vendors = [{ id: VENDOR, name: 'VendorX FX' }];

  it('names a listed vendor, whatever the case of the id', () => {
    expect(vendorName(VENDOR, vendors)).toBe('VendorX FX');
    expect(vendorName(VENDOR.toUpperCase(), vendors)).toBe('VendorX FX');
  });

  it('falls back to the id for a vendor not in the list', () => {
    expect(vendorName(OTHER, vendors)).toBe(OTHER);
    expect(vendorName(OTHER, [])).toBe(OTHER);
  });
});
