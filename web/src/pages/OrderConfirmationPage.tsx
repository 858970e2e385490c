import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { useSession } from '../auth/SessionProvider';
import { OrderSummary } from '../components/OrderSummary';
import { LoadError, Loading, useTitle } from '../components/Status';
import { graphql } from '../generated';
import { orderIdFromPath, orderPath } from '../lib/orders';

// Straight after checkout the cache holds the whole order (the checkout's
// answer), so this asks nothing; after a reload it asks the API, which tells
// only the shopper who placed the order.
const OrderConfirmationQuery = graphql(`
  query OrderConfirmation($id: ID!) {
    order(id: $id) {
      id
      ...OrderSummary_order
    }
  }
`);

/** OrderConfirmationPage thanks the shopper and shows the order just placed. */
export function OrderConfirmationPage() {
  useTitle('Order placed');
  const id = orderIdFromPath(useParams().id ?? '');
  const { signedIn } = useSession();
  const [{ data, error, fetching }] = useQuery({ query: OrderConfirmationQuery, variables: { id } });
  if (fetching && !data) return <Loading />;
  if (!data) return error ? <LoadError error={error} /> : null;
  if (!data.order) {
    return (
      <>
        <h1>Your order</h1>
        <p>
          {signedIn
            ? 'We could not find this order in your account.'
            : 'An order placed without an account is shown only once, straight after checkout; its confirmation goes to the email address given then.'}
        </p>
        <p>
          <Link to="/">Continue shopping</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Thank you for your order</h1>
      <p role="status">Your order is placed. Please keep its number for reference.</p>
      <OrderSummary order={data.order} />
      <p className="actions">
        {signedIn && <Link to={orderPath(data.order.id)}>View or cancel this order</Link>}
        <Link to="/">Continue shopping</Link>
      </p>
    </>
  );
}
