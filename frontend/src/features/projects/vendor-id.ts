export type VendorIdProblem = 'empty' | 'already';

/**
 * Checks the chosen vendor tenant id before it is sent. Null when it may be sent; the server
 * still decides whether it is a vendor (BAD_USER_INPUT otherwise). Ids compare case-insensitively.
 */
export function vendorIdProblem(
  value: string,
  sharedWith: readonly string[],
): VendorIdProblem | null {
  const id = value.trim().toLowerCase();
  if (id === '') return 'empty';
  if (sharedWith.some((shared) => shared.toLowerCase() === id)) return 'already';
  return null;
}

/** The name of the vendor with this tenant id, or the id itself when it is not in `vendors`. */
export function vendorName(id: string, vendors: readonly { id: string; name: string }[]): string {
  const key = id.toLowerCase();
  return vendors.find((vendor) => vendor.id.toLowerCase() === key)?.name ?? id;
}
