import { useQuery } from 'urql';
import { graphql } from '@/gql';
import { splitRestricted } from '../restricted';

/**
 * One person. Salary, personal fields, this year's leave balances and the employment history
 * are asked for every time: the API answers them to those allowed (salary and personal data: HR,
 * admins and the person themself; balances: also their manager; history: HR and the person)
 * and FORBIDDEN (null) to anyone else, which the page treats as "not shown" rather than a
 * failure. They are all nullable, so a refusal never takes the rest of the profile with it.
 */
const EmployeeProfileQuery = graphql(`
  query EmployeeProfile($id: ID!, $year: Int!) {
    employee(id: $id) {
      id
      employeeNumber
      firstName
      lastName
      displayName
      email
      title
      status
      hireDate
      endDate
      department {
        id
        name
      }
      manager {
        id
        displayName
      }
      salary {
        amount
        currency
      }
      phone
      personalEmail
      birthDate
      offboardReason
      leaveBalances(year: $year) {
        year
        type
        allocated
        used
        remaining
      }
      employmentHistory {
        id
        effectiveDate
        title
        department {
          id
          name
        }
        manager {
          id
          displayName
        }
        salary {
          amount
          currency
        }
        reason
      }
    }
  }
`);

/** The person `id`, with their leave balances of the current (local) calendar year. */
export function useEmployee(id: string) {
  const year = new Date().getFullYear();
  const [result, reexecute] = useQuery({ query: EmployeeProfileQuery, variables: { id, year } });
  const { restricted, errors } = splitRestricted(result.error, 'employee');
  return {
    employee: result.data?.employee ?? null,
    /** The API answered (found or not). */
    loaded: result.data !== undefined,
    /** The year whose leave balances were asked for. */
    year,
    restricted,
    loading: result.fetching && !result.data,
    errors,
    retry: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
