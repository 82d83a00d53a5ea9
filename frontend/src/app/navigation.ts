import type { Role } from '@/lib/auth-api';

export interface NavItem {
  path: string;
  labelKey: 'nav.myTasks' | 'nav.review';
  /** Who sees it; empty: everyone with an employee record. */
  roles: readonly Role[];
  needsEmployee: boolean;
}

/** The pages, in menu order. Each role lands on the first one it may see. */
export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/review', labelKey: 'nav.review', roles: ['SUPERVISOR', 'ADMIN'], needsEmployee: false },
  { path: '/tasks', labelKey: 'nav.myTasks', roles: [], needsEmployee: true },
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

/** Where `/` leads: supervisors to review, everyone else to their tasks. */
export function homePathFor(viewer: Viewer): string | null {
  return navItemsFor(viewer)[0]?.path ?? null;
}
