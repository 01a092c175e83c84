import { AppError } from '../errors';
import type { Store } from '../store';
import type { User } from '../store/users';
import { hashApiKey, isApiKey } from './api-keys';
import { generatePassword, hashPassword, verifyPassword } from './passwords';
import { keyPrincipal, userPrincipal, type Principal } from './principal';
import { LOGIN_LIMITS, LoginThrottle, type LoginLimits } from './rate-limit';
import { TokenError, Tokens } from './tokens';

export { TokenError } from './tokens';

/** What realtime needs of auth: a credential in, a caller out (401 AppError when refused). */
export interface Authenticator {
  authenticate(token: string): Promise<Principal>;
}
export type { Principal } from './principal';

/** What login and refresh return (DESIGN.md contract). */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
  user: User;
}

const unauthorized = (message: string, code: 'unauthorized' | 'token_expired' = 'unauthorized'): AppError =>
  new AppError(401, code, message);

/** Logins, token rotation, and turning a bearer credential (JWT or API key) into a principal. */
export class Auth {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly store: Store,
    readonly tokens: Tokens,
    loginLimits: Partial<LoginLimits> = {},
  ) {
    this.throttle = new LoginThrottle({ ...LOGIN_LIMITS, ...loginLimits });
  }

  private async issue(user: User, sessionId: string, jti: string, local = false): Promise<TokenPair> {
    const base = {
      ...(local ? { loc: true } : {}),
      sub: user.id,
      sid: sessionId,
      role: user.role,
      acct: user.account,
      email: user.email,
      su: user.superuser,
      ims: Date.now(),
    };
    const [access, refresh] = await Promise.all([
      this.tokens.sign({ ...base, typ: 'access' }, this.tokens.accessTtlS),
      this.tokens.sign({ ...base, typ: 'refresh', jti }, this.tokens.refreshTtlS),
    ]);
    return {
      access_token: access,
      refresh_token: refresh,
      token_type: 'bearer',
      expires_in: this.tokens.accessTtlS,
      user,
    };
  }

  /**
   * A new login for a user, without a password (the desktop app's own console). With `local`, its
   * tokens carry the `loc` claim: they are refused from other machines while the server is shared.
   */
  startSession(user: User, local = false): Promise<TokenPair> {
    const s = this.store.sessions.create(user.id, this.tokens.refreshTtlS * 1000);
    return this.issue(user, s.id, s.current_jti, local);
  }

  /**
   * Checks a password. `ip` is the client's address (X-Forwarded-For only from trusted
   * proxies); see LoginThrottle for the per-address budget and the per-email backoff.
   */
  async login(email: string, password: string, ip: string): Promise<TokenPair> {
    const throttled = this.throttle.attempt(ip, email);
    if (throttled) {
      const wait = throttled.retryAfterS;
      const from = throttled.scope === 'address' ? 'from this address' : 'for this account';
      throw new AppError(429, 'rate_limited', `Too many failed logins ${from}; try again in ${wait} s.`, {
        retry_after_s: wait,
      });
    }
    const found = this.store.users.byEmail(email);
    // note: hash even for an unknown email, so timing does not tell which emails exist.
    const ok = await verifyPassword(password, found?.hash ?? (await this.dummyHash()));
    if (!found || !ok) throw unauthorized('Wrong email or password.');
    this.throttle.succeeded(ip, email);
    return this.startSession(found.user);
  }

  private dummy?: Promise<string>;
  private dummyHash(): Promise<string> {
    return (this.dummy ??= hashPassword(generatePassword()));
  }

  /** Rotates a refresh token. Presenting an already-rotated one revokes the whole login. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const claims = await this.verifyOr401(refreshToken);
    if (claims.typ !== 'refresh' || !claims.jti) throw unauthorized('Not a refresh token.');
    const session = this.store.sessions.get(claims.sid);
    if (!session || session.revoked_at) throw unauthorized('This login has ended; sign in again.');
    const user = this.store.users.get(claims.sub);
    if (!user) throw unauthorized('The user no longer exists.');
    const next = this.store.sessions.rotate(session.id, claims.jti, this.tokens.refreshTtlS * 1000);
    if (!next) {
      this.store.sessions.revoke(session.id);
      throw unauthorized('This refresh token was already used; the login has been revoked. Sign in again.');
    }
    return this.issue(user, session.id, next, claims.loc === true);
  }

  /** Ends the caller's login (its access and refresh tokens stop working). */
  logout(p: Principal): void {
    if (p.sessionId) this.store.sessions.revoke(p.sessionId);
  }

  private async verifyOr401(token: string) {
    try {
      return await this.tokens.verify(token);
    } catch (e) {
      if (e instanceof TokenError) {
        throw e.reason === 'expired'
          ? unauthorized('The token has expired.', 'token_expired')
          : unauthorized('The token is not valid.');
      }
      throw e;
    }
  }

  /**
   * Resolves a bearer credential. Access tokens are checked against the database too, so
   * logout, a deleted user or a role change take effect at once.
   */
  async authenticate(token: string): Promise<Principal> {
    if (isApiKey(token)) {
      const key = this.store.keys.byHash(hashApiKey(token));
      if (!key) throw unauthorized('The API key is not valid.');
      this.store.keys.touch(key);
      return keyPrincipal(key);
    }
    const claims = await this.verifyOr401(token);
    if (claims.typ !== 'access') throw unauthorized('Not an access token.');
    const session = this.store.sessions.get(claims.sid);
    if (!session || session.revoked_at) throw unauthorized('This login has ended; sign in again.');
    const user = this.store.users.get(claims.sub);
    if (!user) throw unauthorized('The user no longer exists.');
    return {
      ...userPrincipal(user),
      sessionId: claims.sid,
      expiresAt: claims.exp * 1000,
      ...(claims.loc ? { local: true } : {}),
    };
  }

  /**
   * First run: creates the superuser from SWITCHBOARD_ADMIN_EMAIL / _PASSWORD, or with a
   * generated password printed once.
   */
  async ensureSuperuser(env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<void> {
    if (this.store.users.count() > 0) return;
    const email = env.SWITCHBOARD_ADMIN_EMAIL || 'admin@localhost';
    const given = env.SWITCHBOARD_ADMIN_PASSWORD;
    const password = given || generatePassword();
    this.store.users.create({
      email,
      hash: await hashPassword(password),
      role: 'admin',
      account: 'default',
      superuser: true,
    });
    print(
      given
        ? `created superuser ${email}`
        : `created superuser ${email} with password ${password} (shown once; set SWITCHBOARD_ADMIN_PASSWORD to choose it)`,
    );
  }

  /** The first superuser, for the desktop app's local console token. */
  superuser(): User | undefined {
    return this.store.users.list(null).find((u) => u.superuser);
  }
}
