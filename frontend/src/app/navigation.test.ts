import { describe, expect, it } from 'vitest';
import { homePathFor, navItemsFor } from './navigation';

const paths = (roles: Parameters<typeof navItemsFor>[0]) => navItemsFor(roles).map((i) => i.path);

describe('navigation by role', () => {
  it('gives artists their tasks only', () => {
    expect(paths({ roles: ['ARTIST'], employeeId: 'e1' })).toEqual(['/tasks']);
    expect(homePathFor({ roles: ['ARTIST'], employeeId: 'e1' })).toBe('/tasks');
  });

  it('gives supervisors and admins the review page first', () => {
    expect(paths({ roles: ['SUPERVISOR'], employeeId: 'e2' })).toEqual(['/review', '/tasks']);
    expect(homePathFor({ roles: ['ADMIN'], employeeId: null })).toBe('/review');
  });

  it('hides "My tasks" from accounts without an employee record', () => {
    expect(paths({ roles: ['ARTIST'], employeeId: null })).toEqual([]);
    expect(homePathFor({ roles: ['ARTIST'], employeeId: null })).toBeNull();
  });
});
