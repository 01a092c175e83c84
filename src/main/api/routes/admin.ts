import { NAME_PATTERN } from '../../../shared/schema';
import { generateApiKey } from '../../auth/api-keys';
import { hashPassword } from '../../auth/passwords';
import { accountScope, type Principal } from '../../auth/principal';
import { AppError, notFound, validationError } from '../../errors';
import type { Store } from '../../store';
import { ROLES, type Role } from '../../store/users';
import { objectBody, requireAccountAdmin, unknownFields } from '../guards';
import { reply, type Router } from '../router';

// note: accounts are short slugs like collection names, so they are safe in logs and URLs.
const ACCOUNT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;
const MIN_PASSWORD = 8;
/** What a user body (create or update) may hold. */
const USER_FIELDS = ['email', 'password', 'role', 'account'] as const;

/** The account a write targets: only the superuser may name another account. */
function targetAccount(p: Principal, raw: unknown, errors: Record<string, string>): string {
  if (raw === undefined) return p.account;
  if (typeof raw !== 'string' || !ACCOUNT_PATTERN.test(raw)) {
    errors.account = 'must be 1-63 lower-case letters, digits, - or _';
    return p.account;
  }
  if (raw !== p.account && !p.superuser) errors.account = 'only the superuser may use another account';
  return raw;
}

function checkRole(raw: unknown, errors: Record<string, string>): Role | undefined {
  if (raw === undefined) return undefined;
  if (!ROLES.includes(raw as Role)) errors.role = `must be one of ${ROLES.join(', ')}`;
  return raw as Role;
}

/** Users and API keys, for admins of an account (and the superuser across accounts). */
export function adminRoutes(router: Router, store: Store): void {
  const visible = (p: Principal, account: string) => {
    const scope = accountScope(p);
    return scope === null || scope === account;
  };
  // The superuser exists only for itself: to an account's admins it is not there at all (404),
  // so no one but the superuser can read, change (password, email) or delete it.
  const loadUser = (p: Principal, id: string) => {
    const u = store.users.get(id);
    if (!u || !visible(p, u.account) || (u.superuser && !p.superuser)) throw notFound(`User '${id}'`);
    return u;
  };

  router.on('GET', '/api/v1/users', (ctx) => {
    const p = requireAccountAdmin(ctx);
    const items = store.users.list(accountScope(p));
    return { items: p.superuser ? items : items.filter((u) => !u.superuser) };
  });
  router.on('GET', '/api/v1/users/:id', (ctx) => ({ ...loadUser(requireAccountAdmin(ctx), ctx.params.id!) }));

  router.on('POST', '/api/v1/users', async (ctx) => {
    const p = requireAccountAdmin(ctx);
    const b = await objectBody(ctx);
    const errors = unknownFields(b, USER_FIELDS);
    if (typeof b.email !== 'string' || !EMAIL_PATTERN.test(b.email))
      errors.email = 'must be an email address';
    if (typeof b.password !== 'string' || b.password.length < MIN_PASSWORD) {
      errors.password = `must be at least ${MIN_PASSWORD} characters`;
    }
    const role = checkRole(b.role ?? 'viewer', errors);
    const account = targetAccount(p, b.account, errors);
    if (Object.keys(errors).length) throw validationError(errors);
    if (store.users.byEmail(b.email as string)) {
      throw new AppError(409, 'unique_violation', 'A user with this email already exists.', {
        email: 'must be unique',
      });
    }
    const user = store.users.create({
      email: b.email as string,
      hash: await hashPassword(b.password as string),
      role: role!,
      account,
    });
    return reply(201, user);
  });

  router.on('PATCH', '/api/v1/users/:id', async (ctx) => {
    const p = requireAccountAdmin(ctx);
    const u = loadUser(p, ctx.params.id!);
    const b = await objectBody(ctx);
    const errors = unknownFields(b, USER_FIELDS);
    if (b.email !== undefined && (typeof b.email !== 'string' || !EMAIL_PATTERN.test(b.email)))
      errors.email = 'must be an email address';
    if (b.password !== undefined && (typeof b.password !== 'string' || b.password.length < MIN_PASSWORD)) {
      errors.password = `must be at least ${MIN_PASSWORD} characters`;
    }
    const role = checkRole(b.role, errors);
    const account = b.account === undefined ? undefined : targetAccount(p, b.account, errors);
    if (u.superuser && role !== undefined && role !== 'admin') errors.role = 'the superuser stays an admin';
    if (Object.keys(errors).length) throw validationError(errors);
    const other = typeof b.email === 'string' ? store.users.byEmail(b.email) : undefined;
    if (other && other.user.id !== u.id) {
      throw new AppError(409, 'unique_violation', 'A user with this email already exists.', {
        email: 'must be unique',
      });
    }
    const hash = typeof b.password === 'string' ? await hashPassword(b.password) : undefined;
    const updated = store.users.update(u.id, { email: b.email as string | undefined, hash, role, account });
    // A new password or account ends the user's other logins.
    if (hash || account) store.sessions.revokeUser(u.id);
    return { ...updated };
  });

  router.on('DELETE', '/api/v1/users/:id', (ctx) => {
    const p = requireAccountAdmin(ctx);
    const u = loadUser(p, ctx.params.id!);
    if (u.superuser) throw new AppError(409, 'conflict', 'The superuser cannot be deleted.');
    if (u.id === p.id) throw new AppError(409, 'conflict', 'You cannot delete yourself.');
    store.users.delete(u.id);
    return reply(204);
  });

  router.on('GET', '/api/v1/keys', (ctx) => ({
    items: store.keys.list(accountScope(requireAccountAdmin(ctx))),
  }));

  router.on('POST', '/api/v1/keys', async (ctx) => {
    const p = requireAccountAdmin(ctx);
    const b = await objectBody(ctx);
    const errors = unknownFields(b, ['name', 'role', 'account', 'collections']);
    if (typeof b.name !== 'string' || b.name.trim() === '' || b.name.length > 100)
      errors.name = 'is required (1-100 characters)';
    const role = checkRole(b.role ?? 'viewer', errors);
    const account = targetAccount(p, b.account, errors);
    let collections: string[] | null = null;
    if (b.collections !== undefined && b.collections !== null) {
      if (
        !Array.isArray(b.collections) ||
        !b.collections.every((c) => typeof c === 'string' && NAME_PATTERN.test(c))
      ) {
        errors.collections = 'must be a list of collection names';
      } else collections = b.collections as string[];
    }
    if (Object.keys(errors).length) throw validationError(errors);
    const { key, hash, prefix } = generateApiKey();
    const created = store.keys.create({
      name: b.name as string,
      hash,
      prefix,
      role: role!,
      account,
      collections,
      createdBy: p.id,
    });
    return reply(201, { ...created, key });
  });

  router.on('DELETE', '/api/v1/keys/:id', (ctx) => {
    const p = requireAccountAdmin(ctx);
    const k = store.keys.get(ctx.params.id!);
    if (!k || !visible(p, k.account)) throw notFound(`Key '${ctx.params.id}'`);
    store.keys.delete(k.id);
    return reply(204);
  });
}
