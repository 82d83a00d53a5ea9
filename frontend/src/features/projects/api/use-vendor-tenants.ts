import { useQuery } from 'urql';
import { graphql } from '@/gql';
import { errorsFromCombined } from '@/lib/api-error';

const VendorTenantsQuery = graphql(`
  query VendorTenants {
    vendorTenants {
      id
      slug
      name
    }
  }
`);

/** The vendor tenants a task can be shared with (never the studio's own), by name. */
export function useVendorTenants() {
  const [result, reexecute] = useQuery({ query: VendorTenantsQuery });
  return {
    vendors: result.data?.vendorTenants ?? [],
    loading: result.fetching && !result.data,
    errors: result.error ? errorsFromCombined(result.error) : [],
    retry: () => {
      reexecute({ requestPolicy: 'network-only' });
    },
  };
}
