import { Link } from 'react-router';
import { useTitle } from '../components/Status';

/** NotFoundPage says plainly that there is nothing at this address. */
export function NotFoundPage({ what = 'page' }: { what?: string }) {
  useTitle('Not found');
  return (
    <>
      <h1>We could not find that {what}</h1>
      <p>
        It may have moved or been removed. <Link to="/">Back to the shop</Link>
      </p>
    </>
  );
}
