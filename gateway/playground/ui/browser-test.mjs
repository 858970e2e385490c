// Drives the playground in real headless Chromium for gateway/playground's
// TestPlaygroundInChromium, which starts the router and checks what this
// script reports (one JSON object on the last line of stdout).
//
// Environment: ROUTER_URL (the router's base URL), CHROMIUM (the browser
// binary), QUERY (the operation to type), HEADERS (JSON for the headers
// editor), SCREENSHOT_DIR (where to save screenshots).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`browser-test: set ${name}`);
  return v;
};
const routerURL = env('ROUTER_URL');
const query = env('QUERY');
const headers = env('HEADERS');
const shots = env('SCREENSHOT_DIR');
const timeout = 30_000;

const report = { problems: [], graphqlRequests: [] };
// Set while the test sends an operation the router answers with 400, which
// Chromium logs as a console error.
let expect400 = false;
const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'playground-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: env('CHROMIUM'),
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  viewport: { width: 1400, height: 900 },
});

// watch records what would go unnoticed on screen: page errors, console
// errors (CSP violations among them), failed or off-origin requests.
function watch(page) {
  const origin = new URL(routerURL).origin;
  page.on('pageerror', (e) => report.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (expect400 && m.text().includes('status of 400')) return;
    report.problems.push(`console error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => report.problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol !== 'data:' && u.protocol !== 'blob:' && u.origin !== origin) {
      report.problems.push(`request off the router: ${r.url()}`);
    }
    if (r.method() === 'POST' && u.pathname === '/graphql') {
      let body = {};
      try {
        body = JSON.parse(r.postData() ?? '{}');
      } catch {
        // recorded as is below
      }
      report.graphqlRequests.push({
        page: new URL(page.url()).pathname,
        operationName: body.operationName ?? null,
        headers: r.headers(),
      });
    }
  });
}

// modelValue reads a Monaco model of GraphiQL's (operation.graphql,
// response.json, ...) through the monaco instance GraphiQL exposes.
function modelValue(page, suffix) {
  return page.evaluate((s) => {
    const m = globalThis.__MONACO?.editor.getModels().find((x) => x.uri.path.endsWith(s));
    return m ? m.getValue() : null;
  }, suffix);
}

// typeInto focuses a Monaco editor, clears it and types text. insertText types
// like an input method, so Monaco's auto-closing brackets and suggestions do not
// rewrite the text the way they would a key-by-key type().
async function typeInto(page, editorSelector, text) {
  await page.locator(`${editorSelector} .monaco-editor`).first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

try {
  const page = await context.newPage();
  watch(page);

  // 1. /playground: type the operation and headers, run, read result and plan.
  const res = await page.goto(`${routerURL}/playground`, { waitUntil: 'load', timeout });
  report.playgroundStatus = res?.status() ?? 0;
  report.playgroundTitle = await page.title();
  await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor({ timeout });

  await typeInto(page, '.graphiql-query-editor', query);
  report.typedQuery = await modelValue(page, 'operation.graphql');
  // Prettify (prettier, bundled) spreads the one-line operation over lines.
  await page.getByRole('button', { name: /^Prettify query/ }).click();
  await page.waitForFunction(
    () => (globalThis.__MONACO?.editor.getModels().find((m) => m.uri.path.endsWith('operation.graphql'))?.getValue() ?? '').includes('\n'),
    null,
    { timeout },
  );
  report.prettifiedQuery = await modelValue(page, 'operation.graphql');
  await page.keyboard.press('Control+Home');

  await page.getByRole('button', { name: 'Headers', exact: true }).click();
  await typeInto(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden)', headers);
  report.typedHeaders = await modelValue(page, 'request-headers.json');

  await page.locator('.graphiql-execute-button').click();
  await page.waitForFunction(
    () => /"data"|"errors"/.test(globalThis.__MONACO?.editor.getModels().find((m) => m.uri.path.endsWith('response.json'))?.getValue() ?? ''),
    null,
    { timeout },
  );
  report.result = await modelValue(page, 'response.json');
  report.resultOnScreen = await page.locator('.graphiql-response').innerText();
  const plan = page.getByTestId('query-plan');
  await plan.waitFor({ timeout });
  report.planText = await plan.innerText();
  report.planMeta = await page.getByTestId('plan-meta').innerText();
  await page.screenshot({ path: path.join(shots, 'playground.png') });

  // The JSON view of the plan.
  await page.getByRole('tab', { name: 'JSON' }).click();
  report.planJSON = await plan.innerText();

  // 2. The schema docs, from introspection through the router.
  await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
  const docs = page.locator('.graphiql-doc-explorer');
  await docs.getByText('Query', { exact: true }).first().waitFor({ timeout });
  report.docs = await docs.innerText();
  await page.screenshot({ path: path.join(shots, 'docs.png') });
  // History lists the operation run.
  await page.getByRole('button', { name: 'Show History' }).click();
  const history = page.locator('.graphiql-history');
  await history.getByText('BrowserTest').first().waitFor({ timeout });
  report.history = await history.innerText();

  // Back to the plan; GraphiQL remembers the open panel for the next page.
  await page.getByRole('button', { name: 'Show Query plan' }).click();
  await plan.waitFor({ timeout });

  // 3. GET /graphql from the browser opens the playground too; run its
  // default operation with Ctrl-Enter.
  const page2 = await context.newPage();
  watch(page2);
  const res2 = await page2.goto(`${routerURL}/graphql`, { waitUntil: 'load', timeout });
  report.graphqlPageStatus = res2?.status() ?? 0;
  report.graphqlPageType = res2?.headers()['content-type'] ?? '';
  report.graphqlPageTitle = await page2.title();
  await page2.locator('.graphiql-query-editor .monaco-editor').first().click({ timeout });
  await page2.keyboard.press('Control+Enter');
  await page2.getByTestId('query-plan').waitFor({ timeout });
  report.graphqlPagePlan = await page2.getByTestId('query-plan').innerText();
  report.graphqlPageResult = await modelValue(page2, 'response.json');
  await page2.screenshot({ path: path.join(shots, 'graphql-endpoint.png') });

  // An operation the router refuses: its errors in the result, and the panel
  // says that no plan came rather than showing the previous one.
  expect400 = true;
  await typeInto(page2, '.graphiql-query-editor', '{ nope }');
  await page2.keyboard.press('Control+Enter');
  await page2.getByTestId('no-plan').waitFor({ timeout });
  report.refusedPlan = await page2.getByTestId('no-plan').innerText();
  report.refusedResult = await modelValue(page2, 'response.json');
} catch (e) {
  report.problems.push(`driver: ${e.stack ?? e}`);
} finally {
  await context.close();
  await rm(userDataDir, { recursive: true, force: true });
}
console.log(JSON.stringify(report));
