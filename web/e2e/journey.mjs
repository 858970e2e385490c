// The shopper's journey through the store in real headless Chromium: home,
// a category with a filter, search with suggestions, a product and a variant,
// add to cart as a guest, the cart, a guest checkout refused for a declined
// card, sign-in (the guest cart merges into the account's), checkout to a new
// address (a card without funds, then one that pays), the confirmation, the
// order history and the order, cancelling it, the account's address book, a
// new shopper's review, the product page on a 375 px phone, and offline: the
// product and category seen online come back from the kept cache, and a page
// never seen says the shop cannot be reached. Every page load must issue exactly one GraphQL request (the page's
// one operation; a signed-in reload may swap its refresh token first) and
// nothing may log a console error. Everything the journey creates carries a
// name unique to the run, and it cancels its order and deletes its address, so
// it runs on fresh databases and again on the same ones.
//
// Environment: BASE_URL (a store serving this build, with /graphql forwarded
// to a router holding the demo data, e.g. `npm run preview`), CHROMIUM (the
// browser, default /usr/bin/chromium), DEMO_EMAIL and DEMO_PASSWORD (the demo
// shopper `shopgraph seed` creates, by default). Screenshots go to e2e/artifacts/.
// Exits non-zero with the failures listed when a check fails.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const base = process.env.BASE_URL;
if (!base) {
  console.error('e2e: set BASE_URL to the store, such as http://127.0.0.1:3000');
  process.exit(2);
}
const demoEmail = process.env.DEMO_EMAIL ?? 'demo@shopgraph.dev';
const demoPassword = process.env.DEMO_PASSWORD ?? 'Lantern-Harbor-42';
const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
await rm(artifacts, { recursive: true, force: true });
await mkdir(artifacts, { recursive: true });

const failures = [];
const problems = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'shopgraph-e2e-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
});
// Records when a page first shows its content (its h1 in <main>), in ms since navigation started.
await context.addInitScript(() => {
  new MutationObserver((_, observer) => {
    if (document.querySelector('main h1')) {
      window.__contentShownAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { subtree: true, childList: true });
});
const page = context.pages()[0] ?? (await context.newPage());

// Which GraphQL operations the page sent, by name, since the last reset.
let operations = [];
let offline = false;
// Set while the journey loses a response on purpose.
let dropping = false;
page.on('request', (r) => {
  if (new URL(r.url()).pathname !== '/graphql') return;
  let name = '(unnamed)';
  try {
    name = JSON.parse(r.postData() ?? '{}').operationName ?? name;
  } catch {
    name = '(unreadable body)';
  }
  operations.push(name);
});
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
// Offline, the browser reports each request it could not send; anything else is still a fault.
const networkFailure = /^Failed to load resource: net::ERR_INTERNET_DISCONNECTED$/;
page.on('console', (m) => {
  if (m.type() === 'error' && !dropping && !(offline && networkFailure.test(m.text()))) problems.push(`console error on ${page.url()}: ${m.text()}`);
});
// A navigation cancels what the page it leaves was loading (ERR_ABORTED); anything else is a fault.
page.on('requestfailed', (r) => {
  if (!offline && !dropping && r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
});

const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// audit runs axe-core's WCAG 2 A and AA rules on the page as it is now.
async function audit(name) {
  // Evaluated through DevTools, not as a <script>: the store's Content
  // Security Policy rightly refuses inline scripts.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] });
    return r.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.help}; ${v.nodes[0]?.target.join(' ')}`);
  });
  check(violations.length === 0, `${name} passes axe's WCAG 2 AA rules${violations.length ? `:\n  ${violations.join('\n  ')}` : ''}`);
}

// Names unique to this run, so that a second run against the same databases finds nothing of the first.
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

// Every request counts, a session's token refresh too: a signed-in shopper's
// reload finds the tab's access token and sends the page's request alone.
const pageOps = () => operations;
const sameOps = (expected) => JSON.stringify(pageOps()) === JSON.stringify(expected);

// fillAddress fills the address fields within scope (the page, or one form).
async function fillAddress(name, scope = page) {
  await scope.getByLabel('Full name').fill(name);
  await scope.getByLabel('Street address').fill('1 Quay St');
  await scope.getByLabel('Town or city').fill('Bristol');
  await scope.getByLabel('Postal code').fill('BS1 4RN');
  await scope.getByLabel('Country').selectOption('GB');
}

async function fillCard(number) {
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry (MM/YY)').fill('12/34');
  await page.getByLabel('Security code').fill('123');
}

// shot saves the whole page as PNG, and what the screen shows as a small JPEG
// (the README's pictures come from these).
const shot = async (name) => {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
  await page.screenshot({ path: path.join(artifacts, `${name}.jpg`), type: 'jpeg', quality: 70 });
};

// keptEntries lists the cache entries the store keeps on disk for offline use
// (graphcache's IndexedDB storage, one object of entries a day).
async function keptEntries() {
  return page.evaluate(async () => {
    if (!(await indexedDB.databases()).some((d) => d.name === 'shopgraph-catalog')) return [];
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open('shopgraph-catalog');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      const days = await new Promise((resolve, reject) => {
        const all = db.transaction('entries').objectStore('entries').getAll();
        all.onsuccess = () => resolve(all.result);
        all.onerror = () => reject(all.error);
      });
      return days.flatMap((day) => Object.keys(day).filter((k) => day[k] !== undefined));
    } finally {
      db.close();
    }
  });
}
// What must never be kept: the shopper, their cart, orders and addresses, mutation answers.
const privateEntry = /^(Query\.(me|cart|order|user)\b|(Cart|CartLine|Order|Address|Mutation)[:%.]|User:[^.]*\.(?!(name|id|__typename)$))/;

// load opens an address afresh and checks that the page asked exactly one
// GraphQL operation, the one named (none for a page without data, operation null).
async function load(url, operation, ready) {
  operations = [];
  const started = Date.now();
  await page.goto(new URL(url, base).href);
  await ready();
  await page.waitForLoadState('networkidle');
  if (operation === null) {
    check(operations.length === 0, `${url} loads without GraphQL requests (sent: ${operations.join(', ') || 'none'})`);
    return;
  }
  const shown = await page.evaluate(() => window.__contentShownAt);
  const timing = shown === undefined ? `ready in ${Date.now() - started} ms` : `content shown at ${Math.round(shown)} ms`;
  check(sameOps([operation]), `${url} loads with one GraphQL request, ${operation} (sent: ${operations.join(', ') || 'none'}; ${timing})`);
}

try {
  const heading = (name) => () => page.getByRole('heading', { name, level: 1 }).waitFor();

  await load('/', 'HomePage', () => page.getByRole('heading', { name: 'Best rated' }).waitFor());
  check((await page.getByRole('list', { name: 'Best rated products' }).getByRole('listitem').count()) === 8, 'home shows 8 best-rated products');
  await shot('home');
  await audit('home');

  // A category, then a filter: the URL records it and the count follows the facet's.
  await load('/c/clothing', 'CategoryPage', heading('Clothing'));
  const total = await page.getByRole('status').filter({ hasText: 'products' }).textContent();
  const size = page.getByRole('group', { name: 'Size' }).getByRole('checkbox').first();
  const sizeLabel = (await page.getByRole('group', { name: 'Size' }).locator('label').first().textContent()) ?? '';
  const facetCount = Number(/\((\d+)\)/.exec(sizeLabel)?.[1]);
  operations = [];
  await size.click();
  await page.waitForURL(/opt=Size/);
  await page.getByRole('status').filter({ hasText: `${facetCount.toLocaleString('en-US')} product` }).waitFor();
  check(operations.length === 1, `choosing ${sizeLabel.trim()} asks once (sent: ${operations.join(', ')})`);
  check(total !== `${facetCount} products`, `the filter changes the count (${total} -> ${facetCount})`);
  const filtered = new URL(page.url());
  await load(filtered.pathname + filtered.search, 'CategoryPage', heading('Clothing'));
  check(await size.isChecked(), 'a reload of the filtered URL keeps the filter');
  await shot('category-filtered');
  await audit('category-filtered');

  // Search: suggestions as the shopper types, results on Enter.
  operations = [];
  const search = page.getByRole('combobox', { name: 'Search' });
  await search.fill('woo');
  await page.getByRole('listbox', { name: 'Suggestions' }).getByRole('option').first().waitFor();
  check(operations.every((o) => o === 'SearchSuggestions') && operations.length >= 1, `typing asks for suggestions (sent: ${operations.join(', ')})`);
  await search.press('Enter');
  await page.waitForURL(/\/search\?q=woo/);
  await heading('Results for “woo”')();
  await load('/search?q=wool', 'SearchPage', heading('Results for “wool”'));
  check((await page.getByRole('list', { name: 'Products' }).getByRole('listitem').count()) > 0, 'searching "wool" finds products');
  await shot('search');
  await audit('search');

  // A product with options: pick another value, the variant follows.
  await page.getByRole('list', { name: 'Products' }).getByRole('link').first().click();
  await page.waitForURL(/\/p\//);
  await page.getByRole('button', { name: 'Add to cart' }).waitFor();
  await page.waitForLoadState('networkidle');
  const productPath = new URL(page.url()).pathname;
  await load(productPath, 'ProductPage', () => page.getByRole('button', { name: 'Add to cart' }).waitFor());
  const picker = page.locator('.variant-picker fieldset').first();
  const unpressed = picker.locator('button.available[aria-pressed="false"]').first();
  if ((await unpressed.count()) > 0) {
    const value = (await unpressed.textContent()) ?? '';
    operations = [];
    await unpressed.click();
    await page.waitForURL(/variant=/);
    const pressed = picker.locator('button[aria-pressed="true"]');
    await pressed.filter({ hasText: value }).waitFor();
    check((await pressed.textContent()) === value, `picking ${value} selects it`);
    check(operations.length === 0, 'picking a variant needs no request');
  } else {
    check(false, `${productPath} has another value in stock to pick`);
  }
  check(await page.getByText(/Standard shipping to/).isVisible(), 'the product page shows a shipping estimate');
  check(await page.getByRole('heading', { name: 'Reviews' }).isVisible(), 'the product page shows reviews');
  await shot('product');
  await audit('product');

  // Add to cart as a guest, then the cart page.
  const add = page.getByRole('button', { name: 'Add to cart' });
  if (!(await add.isEnabled())) throw new Error('the chosen variant cannot be added to the cart');
  await add.click();
  await page.getByRole('status').filter({ hasText: 'Added' }).waitFor();
  check(Boolean(await page.evaluate(() => localStorage.getItem('shopgraph.cartId'))), 'the guest cart id is kept');
  await load('/cart', 'CartPage', heading('Your cart'));
  check((await page.locator('.cart-line').count()) === 1, 'the cart holds the line');
  const line = (await page.locator('.cart-line a').first().textContent()) ?? '';
  await shot('cart');
  await audit('cart');

  // Checkout as a guest: the Checkout button, the form, a declined card.
  operations = [];
  await page.getByRole('button', { name: 'Checkout', exact: true }).click();
  await page.waitForURL(/\/checkout$/);
  await heading('Checkout')();
  await page.waitForLoadState('networkidle');
  check(sameOps(['CheckoutPage']), `the Checkout button opens checkout with one request (sent: ${operations.join(', ')})`);
  await load('/checkout', 'CheckoutPage', heading('Checkout'));
  check(await page.getByText('4242 4242 4242 4242').isVisible(), 'checkout explains the test cards');
  operations = [];
  await page.getByRole('button', { name: 'Place order', exact: true }).click();
  await page.getByText('Enter your email address; the order confirmation goes there.').waitFor();
  check(operations.length === 0, `an incomplete form is refused in the page, before any request (sent: ${operations.join(', ') || 'none'})`);
  check(await page.getByLabel('Postal code').evaluate((e) => e.getAttribute('aria-invalid') === 'true'), 'the missing postal code is marked invalid');
  await page.getByLabel('Email').fill(`guest-${runId}@example.com`);
  await fillAddress(`Guest ${runId}`);
  await fillCard('4000 0000 0000 0002');
  await page.getByRole('radio', { name: /^Express/ }).check();
  const expressTotal = await page.locator('.checkout-summary .totals dd').last().textContent();
  await page.getByRole('radio', { name: /^Standard/ }).check();
  const standardTotal = await page.locator('.checkout-summary .totals dd').last().textContent();
  check(expressTotal !== standardTotal, `the total follows the shipping method (standard ${standardTotal}, express ${expressTotal})`);
  operations = [];
  await page.getByRole('button', { name: 'Place order', exact: true }).click();
  const declined = page.getByRole('alert').filter({ hasText: /declined/i });
  await declined.waitFor();
  const declinedText = (await declined.textContent()) ?? '';
  check(sameOps(['Checkout']), `placing the order asks once (sent: ${operations.join(', ')})`);
  check(/card was declined/i.test(declinedText) && !/PAYMENT_DECLINED/.test(declinedText), `a declined card is said in plain words: “${declinedText}”`);
  await shot('checkout');
  await audit('checkout');
  await page.setViewportSize({ width: 375, height: 812 });
  const checkoutWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  check(checkoutWidth <= 375, `checkout fits a 375 px screen (content ${checkoutWidth} px)`);
  await shot('checkout-375');
  await page.setViewportSize({ width: 1280, height: 900 });

  // Sign in: the guest cart merges into the account's cart.
  await load('/signin', null, heading('Sign in'));
  await audit('sign in');
  await page.getByLabel('Email').fill(demoEmail);
  await page.getByLabel('Password').fill(demoPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.getByRole('heading', { name: 'Best rated' }).waitFor();
  await page.waitForLoadState('networkidle');
  operations = [];
  await page.getByRole('link', { name: 'Cart' }).click();
  await heading('Your cart')();
  await page.waitForLoadState('networkidle');
  check(sameOps(['CartPage']), `the cart page, signed in, asks once (sent: ${operations.join(', ')})`);
  check(await page.locator('.cart-line a', { hasText: line }).first().isVisible(), `the account's cart holds the guest's ${line}`);
  await shot('cart-signed-in');

  // Checkout signed in, to a new address: a card without funds, then one that pays.
  operations = [];
  await page.getByRole('button', { name: 'Checkout', exact: true }).click();
  await heading('Checkout')();
  await page.waitForLoadState('networkidle');
  check(sameOps(['CheckoutPage']), `checkout, signed in, asks once (sent: ${operations.join(', ')})`);
  check(await page.getByText(`We will send the confirmation to ${demoEmail}.`).isVisible(), 'a signed-in shopper is not asked for an email');
  const newAddress = page.getByRole('radio', { name: 'A new address' });
  if ((await newAddress.count()) > 0) await newAddress.check();
  await fillAddress(`Journey ${runId}`);
  // Every checkout request's idempotency key; the first answer that places the order is lost on its way back.
  const keys = [];
  let loseAnswer = true;
  await page.route('**/graphql', async (route) => {
    const body = JSON.parse(route.request().postData() ?? '{}');
    if (body.operationName !== 'Checkout') return route.continue();
    keys.push(body.variables.input.idempotencyKey);
    if (body.variables.input.payment.number !== '4242424242424242' || !loseAnswer) return route.continue();
    loseAnswer = false;
    await route.fetch();
    dropping = true;
    return route.abort('connectionreset');
  });
  await fillCard('4000 0000 0000 9995');
  await page.getByRole('button', { name: 'Place order', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: /insufficient funds/i }).waitFor();
  check(true, 'a card without funds is refused in plain words');
  await fillCard('4242 4242 4242 4242');
  await page.getByRole('button', { name: 'Place order', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'we do not know whether your order went through' }).waitFor();
  dropping = false;
  check(true, 'a lost answer is said in plain words, with the advice to press Place order again');
  operations = [];
  await page.getByRole('button', { name: 'Place order', exact: true }).click();
  await page.waitForURL(/\/orders\/[^/]+\/confirmation$/);
  await heading('Thank you for your order')();
  await page.waitForLoadState('networkidle');
  await page.unroute('**/graphql');
  check(
    keys.length === 3 && keys[0] !== keys[1] && keys[1] === keys[2],
    `a new card is a new checkout with a new key; the retry after the lost answer sends the same key (${keys.map((k) => k.slice(0, 8)).join(', ')})`,
  );
  check(sameOps(['Checkout']), `the retry places the order; the confirmation needs no request of its own (sent: ${operations.join(', ')})`);
  check(!(await page.evaluate(() => localStorage.getItem('shopgraph.cartId'))), 'the placed cart is forgotten');
  const orderNumber = (await page.locator('.order-facts dd').first().textContent()) ?? '';
  check(/^SG-\d+$/.test(orderNumber), `the confirmation shows the order number (${orderNumber})`);
  check(await page.getByText(`Journey ${runId}`).isVisible(), 'the confirmation shows the new address');
  await shot('confirmation');
  await audit('confirmation');
  const confirmation = new URL(page.url()).pathname;
  await load(confirmation, 'OrderConfirmation', heading('Thank you for your order'));

  // The order in the history, its page, and cancelling it (which puts the stock back).
  await load('/account/orders', 'OrderHistory', heading('Your orders'));
  const orderLink = page.getByRole('link', { name: `Order ${orderNumber}` });
  check(await orderLink.isVisible(), `the history lists ${orderNumber}`);
  await shot('order-history');
  await audit('order-history');
  operations = [];
  await orderLink.click();
  await heading(`Order ${orderNumber}`)();
  await page.waitForLoadState('networkidle');
  check(sameOps(['OrderPage']), `the order page asks once (sent: ${operations.join(', ')})`);
  await load(new URL(page.url()).pathname, 'OrderPage', heading(`Order ${orderNumber}`));
  await shot('order');
  await audit('order');
  operations = [];
  await page.getByRole('button', { name: 'Cancel order' }).click();
  await page.getByRole('button', { name: 'Yes, cancel the order' }).click();
  await page.locator('.order-facts dd', { hasText: 'Cancelled' }).waitFor();
  check(sameOps(['OrderCancel']), `cancelling asks once and updates the page (sent: ${operations.join(', ')})`);
  check((await page.getByRole('button', { name: 'Cancel order' }).count()) === 0, 'a cancelled order offers no cancel button');

  // The account: the address book, adding, editing and deleting an address.
  await load('/account', 'AccountPage', heading('Your account'));
  check((await page.getByLabel('Email').inputValue()) === demoEmail, 'the account shows the email');
  await shot('account');
  await audit('account');
  const kept = await keptEntries();
  const leaked = kept.filter((k) => privateEntry.test(k));
  check(
    kept.some((k) => k.startsWith('Product:')) && leaked.length === 0,
    `signed in, the offline cache keeps the catalog (${kept.length} entries) and nothing private (${leaked.slice(0, 5).join(', ') || 'none'})`,
  );
  // An email change needs the current password, asked for before anything is sent.
  const emailField = page.getByLabel('Email');
  await emailField.fill(`changed-${runId}@example.com`);
  operations = [];
  await page.getByRole('button', { name: 'Save details' }).click();
  await page.getByText('Enter your current password to change your email.').waitFor();
  check(operations.length === 0, `an email change without the password is refused in the page (sent: ${operations.join(', ') || 'none'})`);
  await emailField.fill(demoEmail);
  await page.getByRole('button', { name: 'Save details' }).click();
  await page.getByRole('status').filter({ hasText: 'Your details are saved.' }).waitFor();
  check(sameOps(['UpdateProfile']), `saving the name asks once (sent: ${operations.join(', ')})`);
  const label = `Book ${runId}, 1 Quay St`;
  await page.getByRole('button', { name: 'Add an address' }).click();
  const newForm = page.getByRole('form', { name: 'New address' });
  await fillAddress(`Book ${runId}`, newForm);
  await newForm.getByRole('button', { name: 'Save new address' }).click();
  await page.getByRole('button', { name: `Edit ${label}` }).waitFor();
  await page.getByRole('button', { name: `Edit ${label}` }).click();
  const editForm = page.getByRole('form', { name: `Edit ${label}` });
  await editForm.getByLabel('Town or city').fill('Bath');
  await editForm.getByRole('button', { name: 'Save address' }).click();
  await page.getByRole('listitem').filter({ hasText: `Book ${runId}` }).filter({ hasText: 'Bath' }).waitFor();
  check(true, 'an address is added and edited');
  await audit('account with an address');
  await page.getByRole('button', { name: `Delete ${label}` }).click();
  await page.getByRole('button', { name: `Edit ${label}` }).waitFor({ state: 'detached' });
  check(true, 'an address is deleted');
  await page.setViewportSize({ width: 375, height: 812 });
  for (const [url, operation, title] of [
    ['/account', 'AccountPage', 'Your account'],
    ['/account/orders', 'OrderHistory', 'Your orders'],
  ]) {
    await load(url, operation, heading(title));
    const w = await page.evaluate(() => document.documentElement.scrollWidth);
    check(w <= 375, `${url} fits a 375 px screen (content ${w} px)`);
  }
  await shot('order-history-375');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(new URL('/account', base).href);
  await heading('Your account')();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ state: 'detached' });
  check(new URL(page.url()).pathname === '/signin', 'signing out on the account page leads to sign-in');
  // Signing out clears what the store kept on disk while the shopper was signed in.
  let left = await keptEntries();
  for (let i = 0; i < 20 && left.length > 0; i++) {
    await page.waitForTimeout(100);
    left = await keptEntries();
  }
  check(left.length === 0, `signing out clears the offline cache (left: ${left.slice(0, 5).join(', ') || 'nothing'})`);

  // A new shopper reviews the product (a fresh account each run: one review per product and shopper).
  await load('/signup', null, heading('Create an account'));
  await page.getByLabel('Name').fill('Journey Reviewer');
  await page.getByLabel('Email').fill(`reviewer-${runId}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill('Quiet-Meadow-Lantern-91');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  // Signing up lands on the home page, which asks for its own data: wait until
  // that data is shown, or its request would be counted as the next page's
  // (networkidle cannot tell: an in-app navigation does not reset it).
  await page.waitForURL((u) => u.pathname === '/');
  await page.getByRole('list', { name: 'Best rated products' }).getByRole('listitem').first().waitFor();
  await page.waitForLoadState('networkidle');
  await load(productPath, 'ProductPage', () => page.getByRole('heading', { name: 'Write a review' }).waitFor());
  await page.getByRole('radio', { name: '4 stars' }).check();
  await page.getByLabel('Title').fill(`Journey review ${runId}`);
  await page.getByLabel('Your review').fill('Warm, well made, and it fits as described.');
  await page.getByRole('button', { name: 'Publish review' }).click();
  await page.getByRole('heading', { name: `Journey review ${runId}` }).waitFor();
  check(await page.getByRole('status').filter({ hasText: 'Your review is published' }).isVisible(), 'the review is published and listed');
  await audit('product with a review form');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ state: 'detached' });

  // A phone: the product page fits 375 px without sideways scrolling.
  await page.setViewportSize({ width: 375, height: 812 });
  await load(productPath, 'ProductPage', () => page.getByRole('button', { name: 'Add to cart' }).waitFor());
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 375, `the product page fits a 375 px screen (content ${width} px)`);
  await shot('product-375');
  await audit('product-375');

  // Offline: the catalog pages seen online come back from the cache the store
  // keeps on disk, after a reload too; a page never seen says the shop cannot be reached.
  await page.setViewportSize({ width: 1280, height: 900 });
  await load('/c/clothing', 'CategoryPage', heading('Clothing'));
  const listed = await page.getByRole('list', { name: 'Products' }).getByRole('listitem').count();
  await load(productPath, 'ProductPage', () => page.getByRole('button', { name: 'Add to cart' }).waitFor());
  const productName = (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
  const price = (await page.locator('.variant-details .price').textContent()) ?? '';
  await page.evaluate(() => navigator.serviceWorker.ready);
  offline = true;
  await context.setOffline(true);
  await page.reload();
  await page.getByRole('heading', { name: productName, level: 1 }).waitFor({ timeout: 10_000 });
  const offlinePrice = await page.locator('.variant-details .price').textContent();
  check(offlinePrice === price && price !== '', `offline, a reload shows the product seen online, ${productName}, at ${price} (shown: ${offlinePrice})`);
  await shot('product-offline');
  await page.goto(new URL('/c/clothing', base).href);
  await heading('Clothing')();
  const listedOffline = await page.getByRole('list', { name: 'Products' }).getByRole('listitem').count();
  check(listedOffline === listed && listed > 0, `offline, the category seen online shows its ${listed} products (shown: ${listedOffline})`);
  await page.goto(new URL(`/search?q=${runId}`, base).href);
  await page.getByRole('link', { name: 'Cart' }).waitFor({ timeout: 10_000 });
  await page.getByRole('alert').filter({ hasText: 'could not reach the shop' }).waitFor({ timeout: 10_000 });
  check(true, 'offline, the shell loads a page never seen and says the shop cannot be reached');
  await shot('offline');
  await context.setOffline(false);
  offline = false;
} catch (e) {
  failures.push(`journey stopped: ${e.message}`);
  console.log(`FAIL journey stopped: ${e.message}`);
  await shot('failure').catch(() => {});
} finally {
  await context.close();
  await rm(userDataDir, { recursive: true, force: true });
}

check(problems.length === 0, `no console errors or failed requests${problems.length ? `:\n  ${problems.join('\n  ')}` : ''}`);
if (failures.length > 0) {
  console.log(`\n${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('\nall checks passed; screenshots in e2e/artifacts/');
