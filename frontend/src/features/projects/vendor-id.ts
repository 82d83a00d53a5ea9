/** A UUID (any version), as tenant ids are; case-insensitive. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type VendorIdProblem = 'empty' | 'format' | 'own' | 'already';

/**
 * Checks a typed vendor tenant id before it is sent: the API has no list of vendor tenants, so
 * the id is typed (the vendor sees it on their Shared work page). Null when it may be sent; the
 * server still decides whether it is a vendor (BAD_USER_INPUT otherwise).
 */
export function vendorIdProblem(
  value: string,
  ownTenantId: string | null,
  sharedWith: readonly string[],
): VendorIdProblem | null {
  const id = value.trim().toLowerCase();
  if (id === '') return 'empty';
  if (!UUID.test(id)) return 'format';
  if (ownTenantId !== null && id === ownTenantId.toLowerCase()) return 'own';
  if (sharedWith.some((shared) => shared.toLowerCase() === id)) return 'already';
  return null;
}
