import { graphql, readFragment, type FragmentType } from '../generated';

export const AddressCardFragment = graphql(`
  fragment AddressCard_address on Address {
    id
    name
    line1
    line2
    city
    region
    postalCode
    country
    phone
    isDefaultShipping
  }
`);

/** AddressCard shows a saved address as it would be written on a parcel. */
export function AddressCard(props: { address: FragmentType<typeof AddressCardFragment> }) {
  const a = readFragment(AddressCardFragment, props.address);
  return (
    <span className="address-card">
      <strong>{a.name}</strong>
      {a.isDefaultShipping && <span className="badge">Default</span>}
      <br />
      {[a.line1, a.line2].filter(Boolean).join(', ')}
      <br />
      {[a.city, a.region, a.postalCode, a.country].filter(Boolean).join(', ')}
    </span>
  );
}
