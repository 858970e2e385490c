import { Link } from 'react-router';
import { useQuery } from 'urql';
import { AddressBook } from '../components/AddressBook';
import { ProfileForm } from '../components/ProfileForm';
import { LoadError, Loading, useLastData, useTitle } from '../components/Status';
import { graphql } from '../generated';

const AccountPageQuery = graphql(`
  query AccountPage {
    me {
      id
      name
      ...Profile_user
      ...AddressBook_user
    }
    shippingRates {
      countryCode
      countryName
    }
  }
`);

/** AccountPage shows the signed-in shopper's details and address book, with a way to their orders. */
export function AccountPage() {
  useTitle('Your account');
  const [{ data: answer, error, fetching }] = useQuery({ query: AccountPageQuery });
  // A change to the address book asks for it again; keep the page meanwhile.
  const data = useLastData(answer);
  if (fetching && !data) return <Loading />;
  if (!data) return error ? <LoadError error={error} /> : null;
  const me = data.me;
  if (!me) {
    return (
      <>
        <h1>Your account</h1>
        <p>
          Your session has ended. <Link to="/signin">Sign in again</Link>
        </p>
      </>
    );
  }
  const countries = data.shippingRates.flatMap((r) => (r.countryCode ? [{ code: r.countryCode, name: r.countryName }] : []));
  return (
    <>
      <h1>Your account</h1>
      <p>
        <Link to="/account/orders">Your orders</Link>
      </p>
      <div className="account">
        <ProfileForm key={me.id} user={me} />
        <AddressBook user={me} countries={countries} />
      </div>
    </>
  );
}
