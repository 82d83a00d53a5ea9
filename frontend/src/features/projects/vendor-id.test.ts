import { describe, expect, it } from 'vitest';
import { vendorIdProblem } from './vendor-id';

const OWN = '2b1b1f5c-7e0a-5d3e-9f00-0a1b2c3d4e5f';
const VENDOR = '8c3f6a0e-1d2b-5c4a-8e9f-102030405060';

describe('vendorIdProblem', () => {
  it('accepts a UUID other than the studio and its current shares, in any case and spacing', () => {
    expect(vendorIdProblem(VENDOR, OWN, [])).toBeNull();
    expect(vendorIdProblem(`  ${VENDOR.toUpperCase()} `, OWN, [])).toBeNull();
  });

  it('refuses an empty value, a non-UUID, the own tenant and a vendor already shared with', () => {
    expect(vendorIdProblem('  ', OWN, [])).toBe('empty');
    expect(vendorIdProblem('vendorx', OWN, [])).toBe('format');
    expect(vendorIdProblem(`${VENDOR}0`, OWN, [])).toBe('format');
    expect(vendorIdProblem(OWN.toUpperCase(), OWN, [])).toBe('own');
    expect(vendorIdProblem(VENDOR, OWN, [VENDOR])).toBe('already');
  });
});
