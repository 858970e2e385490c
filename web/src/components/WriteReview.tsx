import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../generated';
import { placeErrors, withPrefix } from '../lib/userErrors';
import { Field } from './Field';
import { FormErrors, type UserError } from './FormErrors';

// The cache then drops the product's reviews and rating summary, so the page
// asks for them again and shows the new review in the list.
const AddReview = graphql(`
  mutation AddReview($input: AddReviewInput!) {
    addReview(input: $input) {
      review {
        id
        rating
        title
        body
        createdAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const fields = withPrefix('input', ['rating', 'title', 'body']);
/** The API's limits on a review's text. */
const maxTitle = 200;
const maxBody = 5000;

/** WriteReview lets a signed-in shopper rate and review a product, once. */
export function WriteReview({ productId }: { productId: string }) {
  const id = useId();
  const [rating, setRating] = useState(0);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [done, setDone] = useState(false);
  const [{ fetching }, addReview] = useMutation(AddReview);

  if (done) {
    return (
      <p role="status" className="status">
        Thank you. Your review is published below.
      </p>
    );
  }

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const problems: UserError[] = [];
    if (rating < 1) problems.push({ field: ['input', 'rating'], message: 'Choose from 1 to 5 stars.' });
    if (title.trim() === '') problems.push({ field: ['input', 'title'], message: 'Give your review a title.' });
    else if (title.trim().length > maxTitle) problems.push({ field: ['input', 'title'], message: `Keep the title under ${maxTitle} characters.` });
    if (body.trim() === '') problems.push({ field: ['input', 'body'], message: 'Say what you thought of it.' });
    else if (body.trim().length > maxBody) problems.push({ field: ['input', 'body'], message: `Keep the review under ${maxBody} characters.` });
    if (problems.length > 0) {
      setErrors(problems);
      return;
    }
    const res = await addReview({ input: { productId, rating, title: title.trim(), body: body.trim() } });
    const payload = res.data?.addReview;
    if (payload?.review) {
      setDone(true);
      return;
    }
    setErrors(payload?.userErrors.length ? payload.userErrors : [{ message: 'We could not publish your review just now. Please try again.' }]);
  };

  const placed = placeErrors(errors, fields);
  const bodyError = placed.byField['input.body'];
  return (
    <form onSubmit={onSubmit} noValidate className="stack write-review" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>Write a review</h3>
      <FormErrors errors={placed.general} fields={[]} />
      <fieldset aria-describedby={placed.byField['input.rating'] ? `${id}-rating-error` : undefined}>
        <legend>Rating</legend>
        <div className="rating-choices">
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n}>
              <input type="radio" name="rating" value={n} checked={rating === n} onChange={() => setRating(n)} />
              {n} {n === 1 ? 'star' : 'stars'}
            </label>
          ))}
        </div>
        {placed.byField['input.rating'] && (
          <span id={`${id}-rating-error`} className="field-error">
            {placed.byField['input.rating']}
          </span>
        )}
      </fieldset>
      <Field label="Title" name="title" required value={title} error={placed.byField['input.title']} onChange={(e) => setTitle(e.target.value)} />
      <div className="field">
        <label htmlFor={`${id}-body`}>Your review</label>
        <textarea
          id={`${id}-body`}
          name="body"
          rows={4}
          required
          value={body}
          aria-invalid={bodyError ? true : undefined}
          aria-describedby={bodyError ? `${id}-body-error` : undefined}
          onChange={(e) => setBody(e.target.value)}
        />
        {bodyError && (
          <span id={`${id}-body-error`} className="field-error">
            {bodyError}
          </span>
        )}
      </div>
      <button type="submit" className="primary" disabled={fetching}>
        Publish review
      </button>
    </form>
  );
}
