import type { Role } from '@/lib/auth-api';

export interface NavItem {
  path: string;
  labelKey:
    | 'nav.myTasks'
    | 'nav.review'
    | 'nav.projects'
    | 'nav.render'
    | 'nav.myLeave'
    | 'nav.approvals'
    | 'nav.people'
    | 'nav.sharedWork';
  /** Who sees it; empty: everyone (with an employee record when `needsEmployee`). */
  roles: readonly Role[];
  needsEmployee: boolean;
  /** Roles that land here rather than on the first page they may see. */
  homeFor?: readonly Role[];
}

/** Everyone but vendors, who see only the work shared with their tenant. */
const STUDIO_ROLES: readonly Role[] = [
  'ADMIN',
  'HR_MANAGER',
  'SUPERVISOR',
  'ARTIST',
  'RENDER_WRANGLER',
];

/** The pages, in menu order. Each role lands on the first one it may see. */
export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/review', labelKey: 'nav.review', roles: ['SUPERVISOR', 'ADMIN'], needsEmployee: false },
  {
    path: '/projects',
    labelKey: 'nav.projects',
    roles: ['SUPERVISOR', 'ADMIN'],
    needsEmployee: false,
  },
  { path: '/tasks', labelKey: 'nav.myTasks', roles: STUDIO_ROLES, needsEmployee: true },
  {
    path: '/render',
    labelKey: 'nav.render',
    roles: ['RENDER_WRANGLER', 'SUPERVISOR', 'ADMIN', 'ARTIST'],
    needsEmployee: false,
    homeFor: ['RENDER_WRANGLER'],
  },
  { path: '/leave', labelKey: 'nav.myLeave', roles: STUDIO_ROLES, needsEmployee: true },
  {
    path: '/approvals',
    labelKey: 'nav.approvals',
    roles: ['HR_MANAGER', 'ADMIN', 'SUPERVISOR'],
    needsEmployee: false,
    homeFor: ['HR_MANAGER'],
  },
  { path: '/people', labelKey: 'nav.people', roles: STUDIO_ROLES, needsEmployee: false },
  {
    path: '/shared',
    labelKey: 'nav.sharedWork',
    roles: ['VENDOR'],
    needsEmployee: false,
    homeFor: ['VENDOR'],
  },
];

export interface Viewer {
  roles: readonly Role[];
  employeeId: string | null;
}

export function canSee(item: NavItem, viewer: Viewer): boolean {
  if (item.needsEmployee && viewer.employeeId === null) return false;
  return item.roles.length === 0 || item.roles.some((role) => viewer.roles.includes(role));
}

export function navItemsFor(viewer: Viewer): NavItem[] {
  return NAV_ITEMS.filter((item) => canSee(item, viewer));
}

/** Where `/` leads: the first page marked `homeFor` one of the roles, else the first page. */
export function homePathFor(viewer: Viewer): string | null {
  const items = navItemsFor(viewer);
  const preferred = items.find((item) => item.homeFor?.some((role) => viewer.roles.includes(role)));
  return (preferred ?? items[0])?.path ?? null;
}
