// A signed-in session in the browser. The refresh token is kept in
// localStorage so that a reload or a new tab stays signed in; the access
// token (15 minutes at most) in memory and in the tab's sessionStorage, so
// that reloading a page sends that page's one request and no refresh first.
// (Both stores are readable by a script injected into the page, which the
// store's Content Security Policy exists to prevent.)
// Session.fetch is the GraphQL client's fetch: it adds the access token,
// refreshes it shortly before it expires (or when the API answers
// UNAUTHENTICATED) and retries once, so pages never see an expired token.
//
// The API rotates refresh tokens and ends a session whose refresh token is
// presented twice, so two tabs must never refresh with the same token: the
// refresh runs under a lock shared by every tab of the store (the Web Locks
// API), and reads the newest refresh token only once it holds the lock.
import { stringifyDocument } from '@urql/core';
import { graphql } from '../generated';
import { documentHash } from '../graphql/client';

/** Tokens as signIn, signUp and refreshToken return them. */
export interface SessionTokens {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

/** What a session needs from the browser; tests give their own. */
export interface SessionDeps {
  /** The GraphQL endpoint. */
  endpoint: string;
  fetch: typeof fetch;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** Keeps the access token for this tab only (sessionStorage); none keeps it in memory alone. */
  tabStorage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  now: () => number;
  /** Runs fn while no other tab refreshes. */
  withLock: <T>(fn: () => Promise<T>) => Promise<T>;
}

export const SessionTokensFragment = graphql(`
  fragment SessionTokens on AuthTokens {
    accessToken
    accessTokenExpiresAt
    refreshToken
    refreshTokenExpiresAt
  }
`);

const RefreshSession = graphql(`
  mutation RefreshSession($refreshToken: String!) {
    refreshToken(refreshToken: $refreshToken) {
      tokens {
        ...SessionTokens
      }
      userErrors {
        code
        message
      }
    }
  }
`);

const storageKey = 'shopgraph.session';
const accessKey = 'shopgraph.access';
/** Refresh this long before the access token expires, to allow for clock skew and slow requests. */
export const refreshMargin = 30_000;

interface Stored {
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

/** A shopper's session: signed in or not, and the tokens that prove it. */
export class Session {
  private access?: { token: string; expiresAt: number };
  private refreshing?: Promise<boolean>;
  private listeners = new Set<() => void>();
  private readonly deps: SessionDeps;

  constructor(deps: SessionDeps) {
    this.deps = deps;
    try {
      const kept = JSON.parse(deps.tabStorage?.getItem(accessKey) ?? 'null') as { token?: unknown; expiresAt?: unknown } | null;
      if (typeof kept?.token === 'string' && typeof kept.expiresAt === 'number' && kept.expiresAt > deps.now() && this.signedIn) {
        this.access = { token: kept.token, expiresAt: kept.expiresAt };
      }
    } catch {
      // A damaged entry: refresh instead.
    }
  }

  /** Whether a refresh token that has not expired is kept. */
  get signedIn(): boolean {
    return this.stored() !== undefined;
  }

  /** subscribe calls fn whenever the shopper signs in or out; it returns the unsubscribe. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** start keeps the tokens of a new session (after signIn or signUp). */
  start(tokens: SessionTokens): void {
    this.keep(tokens);
    this.notify();
  }

  /** end forgets the session, returning the refresh token to revoke with signOut. */
  end(): string | undefined {
    const s = this.stored();
    this.forget();
    this.notify();
    return s?.refreshToken;
  }

  /**
   * fetch sends a GraphQL request with the session's access token, refreshing
   * it first when it is about to expire and once more when the API refuses it.
   */
  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    if (!this.signedIn) return this.deps.fetch(input, init);
    if (!this.access || this.access.expiresAt - refreshMargin <= this.deps.now()) await this.refresh();
    const sent = this.access?.token;
    const res = await this.deps.fetch(input, this.authorized(init));
    if (!(await refusedAuthentication(res))) return res;
    // The token was revoked or the server's clock runs ahead of ours: refresh once.
    if (sent === this.access?.token) this.access = undefined;
    if (!(await this.refresh())) return this.deps.fetch(input, init);
    return this.deps.fetch(input, this.authorized(init));
  };

  private authorized(init?: RequestInit): RequestInit {
    const headers = new Headers(init?.headers);
    if (this.access) headers.set('Authorization', `Bearer ${this.access.token}`);
    return { ...init, headers };
  }

  /** refresh gets a new access token; requests made meanwhile wait for the same one. */
  private refresh(): Promise<boolean> {
    this.refreshing ??= this.deps
      .withLock(() => this.refreshLocked())
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private async refreshLocked(): Promise<boolean> {
    const s = this.stored();
    if (!s) return false;
    let body: RefreshAnswer;
    try {
      body = await this.sendRefresh(s.refreshToken, false);
      if (body.errors?.some((e) => e.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND')) {
        // A router without the store's manifest: send the text once.
        body = await this.sendRefresh(s.refreshToken, true);
      }
    } catch {
      // Offline or the API is down: stay signed in and try again on the next request.
      return false;
    }
    const payload = body.data?.refreshToken;
    if (payload?.tokens) {
      this.keep(payload.tokens);
      return true;
    }
    if (payload?.userErrors.some((e) => e.code === 'INVALID_TOKEN')) {
      // The session ended elsewhere (signed out, password changed, token reused).
      this.forget();
      this.notify();
    }
    return false;
  }

  /** sendRefresh asks for new tokens by the operation's trusted-document hash, with its text when asked. */
  private async sendRefresh(refreshToken: string, withText: boolean): Promise<RefreshAnswer> {
    const res = await this.deps.fetch(this.deps.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({
        operationName: 'RefreshSession',
        variables: { refreshToken },
        extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(RefreshSession) } },
        ...(withText ? { query: stringifyDocument(RefreshSession) } : {}),
      }),
    });
    return (await res.json()) as RefreshAnswer;
  }

  private keep(t: SessionTokens): void {
    this.access = { token: t.accessToken, expiresAt: Date.parse(t.accessTokenExpiresAt) };
    this.deps.tabStorage?.setItem(accessKey, JSON.stringify(this.access));
    const s: Stored = { refreshToken: t.refreshToken, refreshTokenExpiresAt: t.refreshTokenExpiresAt };
    this.deps.storage.setItem(storageKey, JSON.stringify(s));
  }

  private forget(): void {
    this.access = undefined;
    this.deps.tabStorage?.removeItem(accessKey);
    this.deps.storage.removeItem(storageKey);
  }

  private stored(): Stored | undefined {
    const raw = this.deps.storage.getItem(storageKey);
    if (!raw) return undefined;
    try {
      const s = JSON.parse(raw) as Stored;
      if (typeof s.refreshToken !== 'string' || !(Date.parse(s.refreshTokenExpiresAt) > this.deps.now())) return undefined;
      return s;
    } catch {
      return undefined;
    }
  }

  private notify(): void {
    for (const fn of this.listeners) fn();
  }
}

interface RefreshAnswer {
  errors?: { extensions?: { code?: string } }[];
  data?: {
    refreshToken: { tokens: SessionTokens | null; userErrors: { code: string; message: string }[] };
  };
}

/** refusedAuthentication says whether the API refused the request's access token. */
async function refusedAuthentication(res: Response): Promise<boolean> {
  if (res.status === 401) return true;
  if (!(res.headers.get('Content-Type') ?? '').includes('json')) return false;
  try {
    const body = (await res.clone().json()) as { errors?: { extensions?: { code?: string } }[] };
    return body.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ?? false;
  } catch {
    return false;
  }
}

/** browserSession is the store's session, shared by its tabs. */
export function browserSession(): Session {
  return new Session({
    endpoint: '/graphql',
    fetch: (input, init) => fetch(input, init),
    storage: window.localStorage,
    tabStorage: window.sessionStorage,
    now: () => Date.now(),
    // Browsers without Web Locks (old ones, or pages not served over HTTPS) refresh unguarded.
    withLock: <T>(fn: () => Promise<T>) =>
      navigator.locks ? (navigator.locks.request('shopgraph.session.refresh', fn) as Promise<T>) : fn(),
  });
}
