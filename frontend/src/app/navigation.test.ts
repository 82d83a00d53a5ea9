import { describe, expect, it } from 'vitest';
import { homePathFor, navItemsFor } from './navigation';

const paths = (roles: Parameters<typeof navItemsFor>[0]) => navItemsFor(roles).map((i) => i.path);

describe('navigation by role', () => {
  it('gives artists their tasks, then their render jobs, their leave and the directory', () => {
    expect(paths({ roles: ['ARTIST'], employeeId: 'e1' })).toEqual([
      '/tasks',
      '/render',
      '/leave',
      '/people',
    ]);
    expect(homePathFor({ roles: ['ARTIST'], employeeId: 'e1' })).toBe('/tasks');
  });

  it('gives supervisors and admins the review page first', () => {
    expect(paths({ roles: ['SUPERVISOR'], employeeId: 'e2' })).toEqual([
      '/review',
      '/projects',
      '/tasks',
      '/render',
      '/leave',
      '/approvals',
      '/people',
    ]);
    expect(homePathFor({ roles: ['ADMIN'], employeeId: null })).toBe('/review');
  });

  it('hides "My tasks" from accounts without an employee record', () => {
    expect(paths({ roles: ['ARTIST'], employeeId: null })).toEqual(['/render', '/people']);
    expect(homePathFor({ roles: [], employeeId: null })).toBeNull();
  });

  it('sends render wranglers to the render queue; projects are for supervisors and admins', () => {
    expect(paths({ roles: ['RENDER_WRANGLER'], employeeId: 'e3' })).toEqual([
      '/tasks',
      '/render',
      '/leave',
      '/people',
    ]);
    expect(paths({ roles: ['RENDER_WRANGLER'], employeeId: null })).toEqual(['/render', '/people']);
    expect(homePathFor({ roles: ['RENDER_WRANGLER'], employeeId: 'e3' })).toBe('/render');
    expect(homePathFor({ roles: ['ARTIST'], employeeId: 'e1' })).toBe('/tasks');
    expect(paths({ roles: ['ADMIN'], employeeId: null })).toEqual([
      '/review',
      '/projects',
      '/render',
      '/approvals',
      '/people',
    ]);
  });

  it('sends HR to the approvals inbox; leave needs an employee record', () => {
    expect(paths({ roles: ['HR_MANAGER'], employeeId: 'e4' })).toEqual([
      '/tasks',
      '/leave',
      '/approvals',
      '/people',
    ]);
    expect(homePathFor({ roles: ['HR_MANAGER'], employeeId: 'e4' })).toBe('/approvals');
    expect(paths({ roles: ['HR_MANAGER'], employeeId: null })).toEqual(['/approvals', '/people']);
  });

  it('gives vendors only the work shared with them: no tasks board, people, leave or approvals', () => {
    expect(paths({ roles: ['VENDOR'], employeeId: 'e5' })).toEqual(['/shared']);
    expect(homePathFor({ roles: ['VENDOR'], employeeId: 'e5' })).toBe('/shared');
    expect(paths({ roles: ['VENDOR'], employeeId: null })).toEqual(['/shared']);
    expect(homePathFor({ roles: ['VENDOR'], employeeId: null })).toBe('/shared');
  });
});
