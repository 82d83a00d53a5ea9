import { describe, expect, it } from 'vitest';
import { homePathFor, navItemsFor } from './navigation';

const paths = (roles: Parameters<typeof navItemsFor>[0]) => navItemsFor(roles).map((i) => i.path);

describe('navigation by role', () => {
  it('gives artists their tasks, then their render jobs', () => {
    expect(paths({ roles: ['ARTIST'], employeeId: 'e1' })).toEqual(['/tasks', '/render']);
    expect(homePathFor({ roles: ['ARTIST'], employeeId: 'e1' })).toBe('/tasks');
  });

  it('gives supervisors and admins the review page first', () => {
    expect(paths({ roles: ['SUPERVISOR'], employeeId: 'e2' })).toEqual([
      '/review',
      '/projects',
      '/tasks',
      '/render',
    ]);
    expect(homePathFor({ roles: ['ADMIN'], employeeId: null })).toBe('/review');
  });

  it('hides "My tasks" from accounts without an employee record', () => {
    expect(paths({ roles: ['VENDOR'], employeeId: null })).toEqual([]);
    expect(homePathFor({ roles: ['VENDOR'], employeeId: null })).toBeNull();
  });

  it('sends render wranglers to the render queue; projects are for supervisors and admins', () => {
    expect(paths({ roles: ['RENDER_WRANGLER'], employeeId: 'e3' })).toEqual(['/tasks', '/render']);
    expect(paths({ roles: ['RENDER_WRANGLER'], employeeId: null })).toEqual(['/render']);
    expect(homePathFor({ roles: ['RENDER_WRANGLER'], employeeId: 'e3' })).toBe('/render');
    expect(homePathFor({ roles: ['ARTIST'], employeeId: 'e1' })).toBe('/tasks');
    expect(paths({ roles: ['ADMIN'], employeeId: null })).toEqual([
      '/review',
      '/projects',
      '/render',
    ]);
  });
});
