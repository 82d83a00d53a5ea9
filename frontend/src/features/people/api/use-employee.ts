import { useQuery } from 'urql';
import { graphql } from '@/gql';
import { splitRestricted } from '../restricted';

/**
 * One person. Salary and personal fields are asked for every time: the API answers them to
 * HR, admins and the person themself, and FORBIDDEN (null) to anyone else, which the page
 * treats as "not shown" rather than a failure. They are all nullable, so a refusal never takes
 * the rest of the profile with it.
 */
const EmployeeProfileQuery = graphql(`
  query EmployeeProfile($id: ID!) {
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
    }
  }
`);

export function useEmployee(id: string) {
  const [result, reexecute] = useQuery({ query: EmployeeProfileQuery, variables: { id } });
  const { restricted, errors } = splitRestricted(result.error, 'employee');
  return {
    employee: result.data?.employee ?? null,
    /** The API answered (found or not). */
    loaded: result.data !== undefined,
    restricted,
    loading: result.fetching && !result.data,
    errors,
    retry: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
