import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { OrderSummary } from '../components/OrderSummary';
import { LoadError, Loading, useTitle } from '../components/Status';
import { graphql } from '../generated';
import { orderIdFromPath, orderStatusWords, orderTime } from '../lib/orders';
import { NotFoundPage } from './NotFoundPage';

const OrderPageQuery = graphql(`
  query OrderPage($id: ID!) {
    order(id: $id) {
      id
      number
      status
      ...OrderSummary_order
      timeline {
        status
        actor
        note
        at
      }
    }
  }
`);

// The answer carries what the page shows of the order, so the cache updates it in place.
const OrderCancel = graphql(`
  mutation OrderCancel($id: ID!, $reason: String) {
    orderCancel(id: $id, reason: $reason) {
      order {
        id
        status
        paymentStatus
        timeline {
          status
          actor
          note
          at
        }
      }
      userErrors {
        code
        message
      }
    }
  }
`);

const actors: Record<string, string> = { SYSTEM: 'the shop', CUSTOMER: 'you', ADMIN: 'our staff' };

/** OrderPage shows one of the shopper's orders with its history, and cancels it while it is paid but not yet packed. */
export function OrderPage() {
  const id = orderIdFromPath(useParams().id ?? '');
  const [{ data, error, fetching }] = useQuery({
    query: OrderPageQuery,
    variables: { id },
    // The shop moves orders along; show the latest status.
    requestPolicy: 'cache-and-network',
  });
  const [cancel, cancelOrder] = useMutation(OrderCancel);
  const [confirming, setConfirming] = useState(false);
  useTitle(data?.order ? `Order ${data.order.number}` : 'Order');
  if (fetching && !data) return <Loading />;
  if (!data) return error ? <LoadError error={error} /> : null;
  const order = data.order;
  if (!order) return <NotFoundPage what="order" />;
  const refusal =
    cancel.data?.orderCancel.userErrors[0]?.message ??
    (cancel.error ? 'We could not cancel the order just now. Please try again.' : undefined);

  const onCancel = async () => {
    const res = await cancelOrder({ id: order.id, reason: 'Cancelled by the customer in the store' });
    if (res.data?.orderCancel.order) setConfirming(false);
  };

  return (
    <>
      <p>
        <Link to="/account/orders">All your orders</Link>
      </p>
      <h1>Order {order.number}</h1>
      {refusal && (
        <p role="alert" className="error">
          {refusal}
        </p>
      )}
      {order.status === 'PAID' && (
        <div className="cancel-order">
          {confirming ? (
            <>
              <p>Cancel this order? We refund the payment to your card.</p>
              <button type="button" className="danger" disabled={cancel.fetching} onClick={onCancel}>
                Yes, cancel the order
              </button>{' '}
              <button type="button" className="secondary" disabled={cancel.fetching} onClick={() => setConfirming(false)}>
                Keep the order
              </button>
            </>
          ) : (
            <button type="button" className="secondary" onClick={() => setConfirming(true)}>
              Cancel order
            </button>
          )}
        </div>
      )}
      <OrderSummary order={order} />
      <h2>History</h2>
      <ol className="timeline">
        {order.timeline.map((e) => (
          <li key={`${e.at}:${e.status}`}>
            <time dateTime={e.at}>{orderTime(e.at)}</time>: {orderStatusWords(e.status)}
            {actors[e.actor] ? `, by ${actors[e.actor]}` : ''}
            {e.note ? ` (${e.note})` : ''}
          </li>
        ))}
      </ol>
    </>
  );
}
