import type { EmployeeProfileQuery, LeaveRequestFieldsFragment } from '@/gql/graphql';
import type { SessionUser } from '@/lib/auth-api';

type Profile = NonNullable<EmployeeProfileQuery['employee']>;

/** Sam, as the API returns him to someone allowed to see everything. */
export function profile(overrides: Partial<Profile> = {}): Profile {
  return {
    __typename: 'Employee',
    id: 'e-sam',
    employeeNumber: 'NW-0002',
    firstName: 'Sam',
    lastName: 'Okafor',
    displayName: 'Sam Okafor',
    email: 'sup@northwind.test',
    title: 'CG Supervisor',
    status: 'ACTIVE',
    hireDate: '2020-03-01',
    endDate: null,
    department: { __typename: 'Department', id: 'd1', name: 'Animation' },
    manager: null,
    salary: { __typename: 'Money', amount: '70000.00', currency: 'EUR' },
    phone: '+44 20 7946 0002',
    personalEmail: 'sam@example.com',
    birthDate: '1985-06-15',
    offboardReason: null,
    leaveBalances: [
      {
        __typename: 'LeaveBalance',
        year: 2026,
        type: 'VACATION',
        allocated: 25,
        used: 5,
        remaining: 20,
      },
    ],
    employmentHistory: [
      {
        __typename: 'EmploymentChange',
        id: 'h1',
        effectiveDate: '2020-03-01',
        title: 'Animator',
        department: { __typename: 'Department', id: 'd1', name: 'Animation' },
        manager: null,
        salary: { __typename: 'Money', amount: '52000.00', currency: 'EUR' },
        reason: 'hired',
      },
      {
        __typename: 'EmploymentChange',
        id: 'h2',
        effectiveDate: '2023-01-01',
        title: 'CG Supervisor',
        department: null,
        manager: null,
        salary: { __typename: 'Money', amount: '70000.00', currency: 'EUR' },
        reason: 'promotion',
      },
    ],
    ...overrides,
  };
}

/**
 * A pending request of Ari's. The viewer may neither decide nor cancel it unless a test says the
 * API allows it (`viewerCanDecide`, `viewerCanCancel`).
 */
export function leaveRequest(
  overrides: Partial<LeaveRequestFieldsFragment> = {},
): LeaveRequestFieldsFragment {
  return {
    __typename: 'LeaveRequest',
    id: 'l1',
    type: 'VACATION',
    startDate: '2026-12-07',
    endDate: '2026-12-09',
    days: 3,
    status: 'PENDING',
    reason: 'family',
    decidedAt: null,
    decisionComment: null,
    createdAt: '2026-11-20T10:00:00Z',
    viewerCanDecide: false,
    viewerCanCancel: false,
    employee: { __typename: 'Employee', id: 'e-ari', displayName: 'Ari Novak' },
    ...overrides,
  };
}

export function sessionUser(overrides: Partial<SessionUser> = {}): SessionUser {
  return {
    id: 'u-hr',
    email: 'hr@northwind.test',
    tenantId: 't1',
    employeeId: 'e-helen',
    roles: ['HR_MANAGER'],
    ...overrides,
  };
}

/** A FORBIDDEN field error as the API sends it. */
export function forbiddenAt(...path: string[]) {
  return {
    message: 'this field is visible only to HR and the employee',
    path,
    extensions: { code: 'FORBIDDEN' },
  };
}
