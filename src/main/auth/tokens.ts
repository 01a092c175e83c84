import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  errors,
  exportJWK,
  importJWK,
  importPKCS8,
  importSPKI,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';

/** Claims of the tokens we sign. */
export interface TokenClaims {
  sub: string;
  sid: string;
  typ: 'access' | 'refresh';
  role: string;
  acct: string;
  email: string;
  jti?: string;
  /** The superuser (sees every account). */
  su?: boolean;
  /** When it was issued, in ms (iat is in seconds): an edge refuses tokens issued before a revocation. */
  ims?: number;
  /** The desktop's own console token (issueAdminToken): refused from any peer but this machine. */
  loc?: boolean;
  exp: number;
}

/** Why a token was refused; realtime turns these into close reasons. */
export class TokenError extends Error {
  constructor(readonly reason: 'expired' | 'invalid') {
    super(reason === 'expired' ? 'token expired' : 'invalid token');
  }
}

const ALG = 'EdDSA';
const ISSUER = 'switchboard';

/**
 * Signs and verifies JWTs with an Ed25519 key created at first run in the data dir (mode
 * 0600). Asymmetric, so an edge can verify with the public key alone.
 */
export class Tokens {
  private constructor(
    private readonly privateKey: CryptoKey | undefined,
    private readonly publicKey: CryptoKey,
    readonly accessTtlS: number,
    readonly refreshTtlS: number,
  ) {}

  /** Loads the key pair from `dataDir/jwt-ed25519.pem`, creating it on first run. */
  static async open(dataDir: string, accessTtlS = 3600, refreshTtlS = 30 * 86400): Promise<Tokens> {
    const file = join(dataDir, 'jwt-ed25519.pem');
    if (!existsSync(file)) {
      const { privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    }
    chmodSync(file, 0o600);
    const pem = readFileSync(file, 'utf8');
    const spki = createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'pem' }).toString();
    return new Tokens(await importPKCS8(pem, ALG), await importSPKI(spki, ALG), accessTtlS, refreshTtlS);
  }

  /** A verifier only, from a public JWK (what an edge gets from the primary). */
  static async fromPublicJwk(jwk: JWK): Promise<Tokens> {
    return new Tokens(undefined, (await importJWK(jwk, ALG)) as CryptoKey, 0, 0);
  }

  /** The public key as a JWK, for verifiers elsewhere. */
  publicJwk(): Promise<JWK> {
    return exportJWK(this.publicKey);
  }

  async sign(claims: Omit<TokenClaims, 'exp'>, ttlS: number): Promise<string> {
    if (!this.privateKey) throw new Error('this instance only verifies tokens');
    const { sub, ...rest } = claims;
    return new SignJWT({ ...rest })
      .setProtectedHeader({ alg: ALG })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlS)
      .sign(this.privateKey);
  }

  // note: a verified token's claims cannot change, so they are remembered until it expires; 10,000
  // entries covers every client of a venue, and the map is simply emptied when it fills.
  private readonly verified = new Map<string, TokenClaims>();

  /** Verifies signature, issuer and expiry; throws TokenError saying which. */
  async verify(token: string): Promise<TokenClaims> {
    const known = this.verified.get(token);
    if (known) {
      if (known.exp * 1000 > Date.now()) return known;
      this.verified.delete(token);
      throw new TokenError('expired');
    }
    const claims = await this.verifyUncached(token);
    if (this.verified.size >= 10_000) this.verified.clear();
    this.verified.set(token, claims);
    return claims;
  }

  private async verifyUncached(token: string): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { issuer: ISSUER, algorithms: [ALG] });
      if (
        typeof payload.sub !== 'string' ||
        typeof payload.sid !== 'string' ||
        typeof payload.exp !== 'number'
      ) {
        throw new TokenError('invalid');
      }
      return payload as unknown as TokenClaims;
    } catch (e) {
      if (e instanceof errors.JWTExpired) throw new TokenError('expired');
      throw new TokenError('invalid');
    }
  }
}
