import type { ReactNode } from 'react';
import { graphql, readFragment, type FragmentType } from '../generated';
import { Stars } from './Stars';

export const RatingSummaryFragment = graphql(`
  fragment RatingSummary_summary on RatingSummary {
    average
    count
    histogram {
      rating
      count
    }
  }
`);

export const ReviewsFragment = graphql(`
  fragment Reviews_connection on ReviewConnection {
    totalCount
    edges {
      node {
        id
        rating
        title
        body
        createdAt
        author {
          id
          name
        }
      }
    }
  }
`);

const dates = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' });

/** Reviews shows the rating summary, a bar per star count, the newest reviews, and what children add (a review form). */
export function Reviews(props: {
  summary: FragmentType<typeof RatingSummaryFragment>;
  reviews: FragmentType<typeof ReviewsFragment>;
  children?: ReactNode;
}) {
  const s = readFragment(RatingSummaryFragment, props.summary);
  const r = readFragment(ReviewsFragment, props.reviews);
  return (
    <section aria-labelledby="reviews-heading" className="reviews">
      <h2 id="reviews-heading">Reviews</h2>
      {s.average == null ? (
        <p className="empty">No reviews yet.</p>
      ) : (
        <div className="rating-summary">
          <p>
            <Stars rating={s.average} /> {s.average.toFixed(1)} out of 5, from {s.count}{' '}
            {s.count === 1 ? 'review' : 'reviews'}
          </p>
          <dl className="histogram">
            {[...s.histogram].reverse().map((h) => (
              <div key={h.rating}>
                <dt>{h.rating} stars</dt>
                <dd>
                  <meter min={0} max={s.count} value={h.count} aria-label={`${h.rating} stars`} /> {h.count}
                </dd>
              </div>
            ))}
          </dl>
        </div>
      )}
      {props.children}
      <ul className="plain review-list">
        {r.edges.map(({ node }) => (
          <li key={node.id}>
            <article>
              <h3>
                <Stars rating={node.rating} /> {node.title}
              </h3>
              <p className="muted">
                {node.author.name}, <time dateTime={node.createdAt}>{dates.format(new Date(node.createdAt))}</time>
              </p>
              <p>{node.body}</p>
            </article>
          </li>
        ))}
      </ul>
      {r.totalCount > r.edges.length && (
        <p className="muted">
          Showing the {r.edges.length} newest of {r.totalCount} reviews.
        </p>
      )}
    </section>
  );
}
