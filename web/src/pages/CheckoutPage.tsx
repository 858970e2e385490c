import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { AddressCard } from '../components/AddressCard';
import { AddressFields, type Country } from '../components/AddressFields';
import { Field } from '../components/Field';
import { LoadError, Loading, useLastData, useTitle } from '../components/Status';
import { graphql, readFragment } from '../generated';
import type { ShippingMethod } from '../generated/graphql';
import { addressFields, addressInput, emptyAddress, parseCard, validateAddress, validateEmail, type AddressDraft } from '../lib/address';
import { cartId, forgetCartId } from '../lib/cartId';
import {
  attemptKey,
  checkoutOutcome,
  newIdempotencyKey,
  recallAttempt,
  rememberAttempt,
  type LastAttempt,
} from '../lib/checkoutAttempt';
import { formatMoney } from '../lib/money';
import { orderPath, refusedLineWords } from '../lib/orders';
import { keepShipCountry, shipCountry } from '../lib/shipCountry';
import { placeErrors, under, withPrefix, type PlacedErrors } from '../lib/userErrors';

const CheckoutPageQuery = graphql(`
  query CheckoutPage($cartId: ID!, $country: String!) {
    cart(id: $cartId) {
      id
      totalQuantity
      lines {
        id
        quantity
        total {
          amount
          currencyCode
        }
        warnings {
          code
          message
        }
        variant {
          id
          name
          product {
            id
            name
          }
        }
      }
      standard: cost(country: $country, shippingMethod: STANDARD) {
        ...CheckoutCost_cost
      }
      express: cost(country: $country, shippingMethod: EXPRESS) {
        ...CheckoutCost_cost
      }
    }
    me {
      id
      email
      addresses {
        id
        country
        isDefaultShipping
        ...AddressCard_address
      }
    }
    shippingRates {
      countryCode
      countryName
    }
  }
`);

const CheckoutCostFragment = graphql(`
  fragment CheckoutCost_cost on CartCost {
    subtotal {
      amount
      currencyCode
    }
    shipping {
      amount
      currencyCode
    }
    tax {
      amount
      currencyCode
    }
    total {
      amount
      currencyCode
    }
  }
`);

// The order comes back with every field its confirmation page shows, so that
// page reads it from the cache: a guest could not ask for it again.
const Checkout = graphql(`
  mutation Checkout($input: CheckoutInput!) {
    checkout(input: $input) {
      order {
        id
        ...OrderSummary_order
      }
      userErrors {
        code
        field
        message
        lines {
          requested
          available
          variant {
            id
            name
            product {
              id
              name
            }
          }
        }
      }
    }
  }
`);

/** A checkout refusal as the page shows it. */
interface CheckoutError {
  code?: string;
  field?: readonly string[] | null;
  message: string;
  lines?: readonly { requested: number; available: number; variant: { name: string; product: { name: string } } }[] | null;
}

const formFields = [
  'email',
  ...withPrefix('shippingAddress', addressFields),
  'addressId',
  'shippingMethod',
  'payment',
  'payment.number',
  'payment.expiry',
  'payment.cvc',
];
const aliases = { 'payment.expMonth': 'payment.expiry', 'payment.expYear': 'payment.expiry' };
const noErrors: PlacedErrors<CheckoutError> = { byField: {}, general: [] };

/** What to say after an attempt whose outcome is unknown: the order may or may not exist. */
const retryAdvice = 'Press “Place order” again to retry: if the first try went through you will see that order, and you will not be charged twice.';

/**
 * CheckoutPage places the cart's order: where to ship (a saved address or a
 * new one; an email for guests), how (with the cart's cost for each method to
 * that country), and the card. Each checkout the shopper means to make has its
 * own idempotency key, sent again when retrying after an unknown outcome.
 */
export function CheckoutPage() {
  useTitle('Checkout');
  const id = cartId();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [draft, setDraft] = useState<AddressDraft>(() => ({ ...emptyAddress, country: shipCountry() }));
  const [picked, setPicked] = useState<string | null>(null);
  const [method, setMethod] = useState<ShippingMethod>('STANDARD');
  const [card, setCard] = useState({ number: '', expiry: '', cvc: '' });
  const [errors, setErrors] = useState(noErrors);
  const [notice, setNotice] = useState<string | null>(null);
  // An attempt whose answer was lost survives a reload, so it is retried with its key.
  const [last, setLast] = useState<LastAttempt | null>(() => recallAttempt(window.sessionStorage, id));
  const [placing, setPlacing] = useState(false);
  const [, checkout] = useMutation(Checkout);
  const form = useRef<HTMLFormElement>(null);
  const [shown, setShown] = useState(0);

  // Saved addresses come with the page's answer; until then (and for guests) the country is the form's.
  const [country, setCountry] = useState(draft.country);
  const [{ data: answer, error, fetching }, reload] = useQuery({
    query: CheckoutPageQuery,
    variables: { cartId: id ?? '', country: country || shipCountry() },
    pause: !id,
    // Prices and stock move: checkout always asks the API, showing what the cache has meanwhile.
    requestPolicy: 'cache-and-network',
  });
  const data = useLastData(answer);
  const saved = data?.me?.addresses ?? [];
  const chosen = picked ?? saved.find((a) => a.isDefaultShipping)?.id ?? saved[0]?.id ?? 'new';
  const shipTo = chosen === 'new' ? draft.country : saved.find((a) => a.id === chosen)?.country ?? draft.country;
  useEffect(() => {
    if (shipTo && shipTo !== country) setCountry(shipTo);
    if (shipTo) keepShipCountry(shipTo);
  }, [shipTo, country]);

  // After a refusal, take the shopper to the first field at fault, or to the message at the top.
  useEffect(() => {
    if (shown === 0) return;
    const target = form.current?.querySelector<HTMLElement>('[aria-invalid="true"], [data-refusal]');
    target?.focus();
  }, [shown]);

  if (!id) return <EmptyCheckout />;
  if (!data && fetching) return <Loading />;
  if (!data) return error ? <LoadError error={error} /> : null;
  const cart = data.cart;
  if (!cart || cart.lines.length === 0) return <EmptyCheckout />;
  const countries: Country[] = data.shippingRates.flatMap((r) => (r.countryCode ? [{ code: r.countryCode, name: r.countryName }] : []));
  const costs = {
    STANDARD: cart.standard ? readFragment(CheckoutCostFragment, cart.standard) : null,
    EXPRESS: cart.express ? readFragment(CheckoutCostFragment, cart.express) : null,
  };
  const cost = costs[method];
  const guest = !data.me;

  const refuse = (placed: PlacedErrors<CheckoutError>, message: string | null = null) => {
    setErrors(placed);
    setNotice(message);
    setShown((n) => n + 1);
  };

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (placing) return;
    // Check what can be checked here first; nothing is sent, so no key is spent.
    const problems: Record<string, string> = {};
    const emailProblem = guest ? validateEmail(email) : undefined;
    if (emailProblem) problems.email = emailProblem;
    if (chosen === 'new') {
      for (const [f, m] of Object.entries(validateAddress(draft))) problems[`shippingAddress.${f}`] = m;
    }
    const parsed = parseCard(card, new Date());
    for (const [f, m] of Object.entries(parsed.problems)) problems[`payment.${f}`] = m;
    if (!parsed.card || Object.keys(problems).length > 0) {
      refuse({ byField: problems, general: [] });
      return;
    }

    const key = attemptKey(last, newIdempotencyKey);
    setPlacing(true);
    setNotice(null);
    const res = await checkout({
      input: {
        cartId: cart.id,
        ...(chosen === 'new' ? { shippingAddress: addressInput(draft) } : { addressId: chosen }),
        ...(guest ? { email: email.trim() } : {}),
        shippingMethod: method,
        payment: parsed.card,
        idempotencyKey: key,
      },
    });
    setPlacing(false);
    const payload = res.data?.checkout;
    const outcome = checkoutOutcome({ networkError: res.error?.networkError, payload });
    setLast({ key, outcome });
    rememberAttempt(window.sessionStorage, cart.id, { key, outcome });
    if (outcome === 'placed' && payload?.order) {
      // The API emptied the cart of what was bought; the next purchase starts a new one.
      forgetCartId();
      navigate(orderPath(payload.order.id, '/confirmation'), { replace: true });
      return;
    }
    if (outcome === 'unknown') {
      const said = payload?.userErrors[0]?.message;
      const why = res.error?.networkError
        ? 'We could not reach the shop, so we do not know whether your order went through.'
        : (said ?? 'Something went wrong while placing your order.');
      refuse(noErrors, `${why} ${retryAdvice}`);
      return;
    }
    const refusals = payload?.userErrors ?? [];
    if (refusals.some((r) => r.code === 'PRICE_CHANGED' || r.code === 'OUT_OF_STOCK')) {
      // Show the cart's new prices and stock beside the refusal.
      reload({ requestPolicy: 'network-only' });
    }
    if (refusals.some((r) => r.code === 'CART_NOT_FOUND')) forgetCartId();
    refuse(placeErrors(refusals, formFields, aliases));
  };

  const f = errors.byField;
  return (
    <section className="checkout" aria-labelledby="checkout-heading">
      <h1 id="checkout-heading">Checkout</h1>
      <form ref={form} onSubmit={onSubmit} noValidate>
        <TopErrors errors={errors.general} notice={notice} />

        <fieldset>
          <legend>Contact</legend>
          {guest ? (
            <>
              <Field
                label="Email"
                name="email"
                type="email"
                autoComplete="email"
                required
                value={email}
                error={f.email}
                hint="Your order is recorded under this address."
                onChange={(e) => setEmail(e.target.value)}
              />
              <p className="muted">
                Have an account? <Link to="/signin" state={{ from: '/checkout' }}>Sign in</Link> to use your saved addresses.
              </p>
            </>
          ) : (
            <p>We will send the confirmation to {data.me?.email}.</p>
          )}
        </fieldset>

        <fieldset>
          <legend>Shipping address</legend>
          {saved.length > 0 && (
            <div className="address-choices" role="radiogroup" aria-label="Saved addresses">
              {saved.map((a) => (
                <label key={a.id} className="choice-row">
                  <input type="radio" name="address" checked={chosen === a.id} onChange={() => setPicked(a.id)} />
                  <AddressCard address={a} />
                </label>
              ))}
              <label className="choice-row">
                <input type="radio" name="address" checked={chosen === 'new'} onChange={() => setPicked('new')} />
                <span>A new address</span>
              </label>
            </div>
          )}
          {f.addressId && (
            <p className="field-error" data-refusal tabIndex={-1}>
              {f.addressId}
            </p>
          )}
          {chosen === 'new' && (
            <AddressFields value={draft} onChange={setDraft} errors={under(f, 'shippingAddress')} countries={countries} />
          )}
        </fieldset>

        <fieldset>
          <legend>Shipping method</legend>
          {(['STANDARD', 'EXPRESS'] as const).map((m) => (
            <label key={m} className="choice-row">
              <input type="radio" name="shippingMethod" value={m} checked={method === m} onChange={() => setMethod(m)} />
              <span>
                {m === 'STANDARD' ? 'Standard' : 'Express'}:{' '}
                <strong>{costs[m] ? formatMoney(costs[m].shipping) : 'not available'}</strong>
              </span>
            </label>
          ))}
          <p className="muted">
            To {countries.find((c) => c.code === shipTo)?.name ?? 'the rest of the world'}
            {fetching && ' (updating…)'}
          </p>
        </fieldset>

        <fieldset>
          <legend>Payment</legend>
          <p className="hint" id="test-cards">
            This demo shop takes test cards only: <strong>4242 4242 4242 4242</strong> is accepted,{' '}
            <strong>4000 0000 0000 0002</strong> is declined, and <strong>4000 0000 0000 9995</strong> is declined for
            insufficient funds. Use any future expiry date and any 3-digit security code.
          </p>
          {f.payment && (
            <p role="alert" className="error" data-refusal tabIndex={-1}>
              {f.payment}
            </p>
          )}
          <Field
            label="Card number"
            name="cardNumber"
            inputMode="numeric"
            autoComplete="cc-number"
            required
            value={card.number}
            error={f['payment.number']}
            onChange={(e) => setCard({ ...card, number: e.target.value })}
          />
          <div className="field-pair">
            <Field
              label="Expiry (MM/YY)"
              name="cardExpiry"
              inputMode="numeric"
              autoComplete="cc-exp"
              placeholder="MM/YY"
              required
              value={card.expiry}
              error={f['payment.expiry']}
              onChange={(e) => setCard({ ...card, expiry: e.target.value })}
            />
            <Field
              label="Security code"
              name="cardCvc"
              inputMode="numeric"
              autoComplete="cc-csc"
              required
              value={card.cvc}
              error={f['payment.cvc']}
              onChange={(e) => setCard({ ...card, cvc: e.target.value })}
            />
          </div>
        </fieldset>

        <section aria-labelledby="summary-heading" className="checkout-summary">
          <h2 id="summary-heading">Order summary</h2>
          <ul className="plain order-lines">
            {cart.lines.map((l) => (
              <li key={l.id}>
                <span>
                  {l.variant.product.name}, {l.variant.name} × {l.quantity}
                  {l.warnings.map((w) => (
                    <span key={w.code} className="warning">
                      {' '}
                      {w.message}
                    </span>
                  ))}
                </span>
                <span>{l.total ? formatMoney(l.total) : 'Unavailable'}</span>
              </li>
            ))}
          </ul>
          {cost ? (
            <dl className="totals">
              <dt>Subtotal</dt>
              <dd>{formatMoney(cost.subtotal)}</dd>
              <dt>Shipping</dt>
              <dd>{formatMoney(cost.shipping)}</dd>
              <dt>Tax</dt>
              <dd>{formatMoney(cost.tax)}</dd>
              <dt>Total</dt>
              <dd>{formatMoney(cost.total)}</dd>
            </dl>
          ) : (
            <p className="muted">Nothing in the cart can be bought just now.</p>
          )}
        </section>

        <button type="submit" className="primary" disabled={placing}>
          Place order
        </button>
        <p role="status" className="status">
          {placing ? 'Placing your order…' : ''}
        </p>
      </form>
    </section>
  );
}

/** TopErrors lists the refusals that belong to no one field, with the cart lines at fault. */
function TopErrors({ errors, notice }: { errors: readonly CheckoutError[]; notice: string | null }) {
  if (errors.length === 0 && !notice) return null;
  return (
    <div role="alert" className="error" data-refusal tabIndex={-1}>
      {notice && <p>{notice}</p>}
      {errors.map((e) => (
        <div key={`${e.code}:${e.message}`}>
          <p>{e.message}</p>
          {e.lines && e.lines.length > 0 && (
            <ul>
              {e.lines.map((l) => (
                <li key={l.variant.name + l.variant.product.name}>
                  {refusedLineWords(e.code ?? '', {
                    name: `${l.variant.product.name}, ${l.variant.name}`,
                    requested: l.requested,
                    available: l.available,
                  })}
                </li>
              ))}
            </ul>
          )}
          {(e.code === 'OUT_OF_STOCK' || e.code === 'CART_NOT_FOUND' || e.code === 'EMPTY_CART') && (
            <p>
              <Link to="/cart">Review your cart</Link>
            </p>
          )}
        </div>
      ))}
    </div>
  );
}

function EmptyCheckout() {
  return (
    <>
      <h1>Checkout</h1>
      <p className="empty">
        Your cart is empty, so there is nothing to check out. <Link to="/">Continue shopping</Link>
      </p>
    </>
  );
}
