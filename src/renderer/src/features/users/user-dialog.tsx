/**
 * Create a user (email, password, role, account) or change one (role, account, a new password), and delete
 * it after a confirmation that says what is lost. Server errors land on their field.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Trash2 } from 'lucide-react';
import { DEFAULT_ACCOUNT, type Role, type User } from '../../../../shared/admin';
import { useAppStore } from '../../store';
import type { ResourceError } from '../../store/resource';
import { Button } from '../../ui/button';
import { ConfirmDialog } from '../../ui/confirm-dialog';
import { Dialog } from '../../ui/dialog';
import { FormError, TextField } from '../../ui/field';
import { createUser, deleteUser, updateUser } from './actions';
import { RoleAccountFields } from './role-account-fields';

const ROLE_HINT: Record<Role, string> = {
  admin: 'Admins manage users, keys and collections of their account.',
  editor: 'Editors change records the rules let them.',
  viewer: 'Viewers only read.',
};

export function UserDialog({ open, user, onClose }: { open: boolean; user?: User; onClose: () => void }) {
  const me = useAppStore((s) => s.auth.user);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('editor');
  const [account, setAccount] = useState(DEFAULT_ACCOUNT);
  const [error, setError] = useState<ResourceError | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);

  useEffect(() => {
    if (!open) return;
    setEmail(user?.email ?? '');
    setPassword('');
    setRole(user?.role ?? 'editor');
    setAccount(user?.account ?? me?.account ?? DEFAULT_ACCOUNT);
    setError(null);
  }, [open, user, me?.account]);

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    const r = user
      ? await updateUser(user.id, {
          ...(role !== user.role ? { role } : {}),
          ...(account !== user.account ? { account } : {}),
          ...(password ? { password } : {}),
        })
      : await createUser({ email: email.trim(), password, role, account: account.trim() || undefined });
    setBusy(false);
    if (r.ok) onClose();
    else setError(r.error);
  };

  const fields = error?.fields ?? {};
  const known = ['email', 'password', 'role', 'account'];
  const formError = error && !Object.keys(fields).some((f) => known.includes(f)) ? error.message : null;
  const formId = user ? 'user-edit-form' : 'user-create-form';

  return (
    <>
      <Dialog
        open={open && !confirming}
        title={user ? `User ${user.email}` : 'New user'}
        onClose={onClose}
        testId="user-dialog"
        footer={
          <>
            {user && !user.superuser && user.id !== me?.id && (
              <Button
                variant="ghost"
                className="btn-danger-text push-start"
                icon={<Trash2 size={16} aria-hidden="true" />}
                onClick={() => setConfirming(true)}
              >
                Delete user
              </Button>
            )}
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" form={formId} variant="primary" busy={busy}>
              {user ? 'Save' : 'Create user'}
            </Button>
          </>
        }
      >
        <form id={formId} className="form" onSubmit={(e) => void onSubmit(e)} noValidate>
          {user ? (
            <p className="muted">Created {new Date(user.created_at).toLocaleDateString()}.</p>
          ) : (
            <TextField
              label="Email"
              type="email"
              autoComplete="off"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={fields.email}
            />
          )}
          <TextField
            label={user ? 'New password' : 'Password'}
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={fields.password}
            hint={
              user
                ? 'Leave empty to keep it. A new password signs the user out everywhere.'
                : 'At least 8 characters.'
            }
          />
          <RoleAccountFields
            role={role}
            account={account}
            onRole={setRole}
            onAccount={setAccount}
            errors={fields}
            canMoveAccount={!!me?.superuser}
            roleDisabled={user?.superuser}
            roleHint={ROLE_HINT[role]}
            accountHint={
              me?.superuser
                ? 'Users see only their account’s records.'
                : 'Only the owner may move users between accounts.'
            }
          />
          <FormError>{formError}</FormError>
        </form>
      </Dialog>
      {user && (
        <ConfirmDialog
          open={confirming}
          title="Delete this user?"
          confirmLabel="Delete user"
          consequence={
            <p>
              <strong>{user.email}</strong> will no longer be able to sign in, and every session they have
              open ends now. Records they created stay.
            </p>
          }
          onConfirm={async () => {
            const r = await deleteUser(user);
            if (r.ok) onClose();
            return r.ok ? null : r.error.message;
          }}
          onClose={() => setConfirming(false)}
        />
      )}
    </>
  );
}
