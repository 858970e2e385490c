import { Link, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { LoadError, Loading, useLastData, useTitle } from '../components/Status';
import { graphql, readFragment, type FragmentType } from '../generated';
import { formatMoney } from '../lib/money';
import { orderDate, orderPath, orderStatusWords } from '../lib/orders';

/** Orders on a page of the history. */
const pageSize = 10;

const OrderHistoryQuery = graphql(`
  query OrderHistory($first: Int!, $after: String) {
    me {
      id
      orders(first: $first, after: $after) {
        edges {
          node {
            id
            ...OrderRow_order
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

const OrderRowFragment = graphql(`
  fragment OrderRow_order on Order {
    id
    number
    createdAt
    status
    total {
      amount
      currencyCode
    }
    lines {
      quantity
    }
  }
`);

function OrderRow(props: { order: FragmentType<typeof OrderRowFragment> }) {
  const o = readFragment(OrderRowFragment, props.order);
  const items = o.lines.reduce((n, l) => n + l.quantity, 0);
  return (
    <li className="order-row">
      <Link to={orderPath(o.id)}>Order {o.number}</Link>
      <span>
        <time dateTime={o.createdAt}>{orderDate(o.createdAt)}</time>, {items} {items === 1 ? 'item' : 'items'}
      </span>
      <span>{orderStatusWords(o.status)}</span>
      <span className="price">{formatMoney(o.total)}</span>
    </li>
  );
}

/** OrderHistoryPage lists the signed-in shopper's orders, newest first, a page at a time (?after=). */
export function OrderHistoryPage() {
  useTitle('Your orders');
  const [params] = useSearchParams();
  const after = params.get('after');
  const [{ data: answer, error, fetching }] = useQuery({
    query: OrderHistoryQuery,
    variables: { first: pageSize, after },
    // A new order or a status change made elsewhere shows on the next visit.
    requestPolicy: 'cache-and-network',
  });
  const data = useLastData(answer);
  if (fetching && !data) return <Loading />;
  if (!data) return error ? <LoadError error={error} /> : null;
  const orders = data.me?.orders;
  return (
    <>
      <h1>Your orders</h1>
      <p>
        <Link to="/account">Back to your account</Link>
      </p>
      {!orders || orders.edges.length === 0 ? (
        <p className="empty">
          {after ? 'No more orders.' : 'You have not placed any orders yet.'} <Link to="/">Start shopping</Link>
        </p>
      ) : (
        <ul className="plain order-list" aria-label="Orders">
          {orders.edges.map((e) => (
            <OrderRow key={e.node.id} order={e.node} />
          ))}
        </ul>
      )}
      <nav aria-label="Pages" className="pagination">
        {after && <Link to="/account/orders">Newest orders</Link>}
        {orders?.pageInfo.hasNextPage && orders.pageInfo.endCursor && (
          <Link to={`/account/orders?after=${encodeURIComponent(orders.pageInfo.endCursor)}`}>Older orders</Link>
        )}
      </nav>
    </>
  );
}
