import { describe, expect, it } from 'vitest';
import { refreshMargin, Session, type SessionTokens } from './session';

const minute = 60_000;

// fakeAPI answers RefreshSession with rotated tokens and any other operation
// with UNAUTHENTICATED unless it carries the newest access token.
function fakeAPI(start: number, knowsHashes = true) {
  let clock = start;
  let n = 0;
  let validAccess = '';
  let validRefresh = '';
  const calls: { op: string; auth: string | null }[] = [];
  const issue = (): SessionTokens => {
    n++;
    validAccess = `access-${n}`;
    validRefresh = `refresh-${n}`;
    return {
      accessToken: validAccess,
      accessTokenExpiresAt: new Date(clock + 15 * minute).toISOString(),
      refreshToken: validRefresh,
      refreshTokenExpiresAt: new Date(clock + 30 * 24 * 60 * minute).toISOString(),
    };
  };
  const json = (body: unknown) =>
    new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } });
  const fetch = async (_input: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { operationName: string; query?: string; variables: { refreshToken?: string } };
    const auth = new Headers(init?.headers).get('Authorization');
    calls.push({ op: body.operationName, auth });
    if (!knowsHashes && body.query === undefined) {
      return json({ errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
    }
    if (body.operationName === 'RefreshSession') {
      if (body.variables.refreshToken !== validRefresh) {
        validRefresh = ''; // a reused token ends the session
        return json({ data: { refreshToken: { tokens: null, userErrors: [{ code: 'INVALID_TOKEN', message: 'ended' }] } } });
      }
      return json({ data: { refreshToken: { tokens: issue(), userErrors: [] } } });
    }
    if (auth !== null && auth !== `Bearer ${validAccess}`) {
      return json({ data: { me: null }, errors: [{ message: 'expired', extensions: { code: 'UNAUTHENTICATED' } }] });
    }
    return json({ data: { me: auth ? { id: 'u1' } : null } });
  };
  return {
    fetch,
    calls,
    issue,
    now: () => clock,
    advance: (ms: number) => (clock += ms),
    revokeAccess: () => (validAccess = 'revoked'),
  };
}

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
}

function setup() {
  const api = fakeAPI(Date.parse('2026-12-06T10:00:00Z'));
  const storage = memoryStorage();
  const session = new Session({
    endpoint: '/graphql',
    fetch: api.fetch,
    storage,
    now: api.now,
    withLock: (fn) => fn(),
  });
  const query = async () => {
    const res = await session.fetch('/graphql', { method: 'POST', body: JSON.stringify({ operationName: 'Me', variables: {} }) });
    return (await res.json()) as { data: { me: { id: string } | null }; errors?: unknown[] };
  };
  return { api, storage, session, query };
}

describe('Session', () => {
  it('sends no token for a guest', async () => {
    const { api, query } = setup();
    expect((await query()).data.me).toBeNull();
    expect(api.calls).toEqual([{ op: 'Me', auth: null }]);
  });

  it('sends the access token of a new session without refreshing', async () => {
    const { api, session, query } = setup();
    session.start(api.issue());
    expect((await query()).data.me).toEqual({ id: 'u1' });
    expect(api.calls).toEqual([{ op: 'Me', auth: 'Bearer access-1' }]);
  });

  it('refreshes shortly before the access token expires', async () => {
    const { api, session, query } = setup();
    session.start(api.issue());
    api.advance(15 * minute - refreshMargin + 1);
    expect((await query()).data.me).toEqual({ id: 'u1' });
    expect(api.calls).toEqual([
      { op: 'RefreshSession', auth: null },
      { op: 'Me', auth: 'Bearer access-2' },
    ]);
  });

  it('refreshes once for requests made at the same time', async () => {
    const { api, session, query } = setup();
    session.start(api.issue());
    api.advance(20 * minute);
    await Promise.all([query(), query(), query()]);
    expect(api.calls.filter((c) => c.op === 'RefreshSession')).toHaveLength(1);
    expect(api.calls.filter((c) => c.op === 'Me').every((c) => c.auth === 'Bearer access-2')).toBe(true);
  });

  it('refreshes and retries once when the API refuses the token', async () => {
    const { api, session, query } = setup();
    session.start(api.issue());
    api.revokeAccess();
    const answer = await query();
    expect(answer.errors).toBeUndefined();
    expect(answer.data.me).toEqual({ id: 'u1' });
    expect(api.calls.map((c) => c.op)).toEqual(['Me', 'RefreshSession', 'Me']);
  });

  it('stays signed in across a reload, with the refresh token alone', async () => {
    const { api, storage, session } = setup();
    session.start(api.issue());
    const reloaded = new Session({ endpoint: '/graphql', fetch: api.fetch, storage, now: api.now, withLock: (fn) => fn() });
    expect(reloaded.signedIn).toBe(true);
    const res = await reloaded.fetch('/graphql', { method: 'POST', body: JSON.stringify({ operationName: 'Me' }) });
    expect(((await res.json()) as { data: unknown }).data).toEqual({ me: { id: 'u1' } });
    expect(api.calls.map((c) => c.op)).toEqual(['RefreshSession', 'Me']);
  });

  it('keeps the access token for the tab, so a reload sends no refresh', async () => {
    const { api, storage } = setup();
    const tab = memoryStorage();
    const withTab = new Session({ endpoint: '/graphql', fetch: api.fetch, storage, tabStorage: tab, now: api.now, withLock: (fn) => fn() });
    withTab.start(api.issue());
    const reloaded = new Session({ endpoint: '/graphql', fetch: api.fetch, storage, tabStorage: tab, now: api.now, withLock: (fn) => fn() });
    await reloaded.fetch('/graphql', { method: 'POST', body: JSON.stringify({ operationName: 'Me' }) });
    expect(api.calls.map((c) => c.op)).toEqual(['Me']);
    // Once it has expired, the reload refreshes first.
    api.advance(20 * minute);
    const later = new Session({ endpoint: '/graphql', fetch: api.fetch, storage, tabStorage: tab, now: api.now, withLock: (fn) => fn() });
    await later.fetch('/graphql', { method: 'POST', body: JSON.stringify({ operationName: 'Me' }) });
    expect(api.calls.map((c) => c.op)).toEqual(['Me', 'RefreshSession', 'Me']);
    // Signing out forgets it.
    later.end();
    expect(tab.getItem('shopgraph.access')).toBeNull();
  });

  it('sends the refresh text to a router that does not know its hash', async () => {
    const api = fakeAPI(Date.parse('2026-12-06T10:00:00Z'), false);
    const storage = memoryStorage();
    const first = new Session({ endpoint: '/graphql', fetch: api.fetch, storage, now: api.now, withLock: (fn) => fn() });
    first.start(api.issue());
    const reloaded = new Session({ endpoint: '/graphql', fetch: api.fetch, storage, now: api.now, withLock: (fn) => fn() });
    await reloaded.fetch('/graphql', { method: 'POST', body: JSON.stringify({ operationName: 'Me', query: '{ me { id } }' }) });
    expect(api.calls.map((c) => c.op)).toEqual(['RefreshSession', 'RefreshSession', 'Me']);
    expect(api.calls.at(-1)?.auth).toBe('Bearer access-2');
  });

  it('signs out when the API ends the session, and tells listeners', async () => {
    const { api, storage, session, query } = setup();
    const stale = api.issue();
    api.issue(); // another tab rotated the token: ours is now a reused one
    session.start(stale);
    let told = 0;
    session.subscribe(() => told++);
    api.advance(20 * minute);
    expect((await query()).data.me).toBeNull();
    expect(session.signedIn).toBe(false);
    expect(told).toBe(1);
    expect(storage.getItem('shopgraph.session')).toBeNull();
    expect(api.calls.at(-1)).toEqual({ op: 'Me', auth: null });
  });

  it('forgets a refresh token that has expired', () => {
    const { api, session } = setup();
    session.start(api.issue());
    api.advance(31 * 24 * 60 * minute);
    expect(session.signedIn).toBe(false);
  });

  it('ends a session, handing back the refresh token to revoke', () => {
    const { api, session } = setup();
    session.start(api.issue());
    expect(session.end()).toBe('refresh-1');
    expect(session.signedIn).toBe(false);
  });
});
