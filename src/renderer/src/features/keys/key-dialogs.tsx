/**
 * Creating a key (name, role, account, collections) and showing its secret once with a copy button;
 * deleting a key after saying what stops working.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { AlertTriangle } from 'lucide-react';
import { DEFAULT_ACCOUNT, type ApiKey, type CreatedApiKey, type Role } from '../../../../shared/admin';
import { useAppStore } from '../../store';
import type { ResourceError } from '../../store/resource';
import { Button } from '../../ui/button';
import { ConfirmDialog } from '../../ui/confirm-dialog';
import { CopyButton } from '../../ui/copy-button';
import { Dialog } from '../../ui/dialog';
import { CheckboxGroup, FormError, TextField } from '../../ui/field';
import { RoleAccountFields } from '../users/role-account-fields';
import { createKey, deleteKey } from './actions';

export function CreateKeyDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const me = useAppStore((s) => s.auth.user);
  const collections = useAppStore(useShallow((s) => (s.collections.list.data ?? []).map((c) => c.name)));
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [account, setAccount] = useState(DEFAULT_ACCOUNT);
  const [scope, setScope] = useState<string[]>([]);
  const [error, setError] = useState<ResourceError | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);

  useEffect(() => {
    if (!open) return;
    setName('');
    setRole('viewer');
    setAccount(me?.account ?? DEFAULT_ACCOUNT);
    setScope([]);
    setError(null);
    setCreated(null);
  }, [open, me?.account]);

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    const r = await createKey({
      name: name.trim(),
      role,
      account: account.trim() || undefined,
      collections: scope.length ? scope : null,
    });
    setBusy(false);
    if (r.ok) setCreated(r.value);
    else setError(r.error);
  };

  if (created) {
    return (
      <Dialog
        open={open}
        title={`Key ${created.name} created`}
        onClose={onClose}
        testId="key-created"
        footer={
          <Button variant="primary" onClick={onClose} data-autofocus>
            Done
          </Button>
        }
      >
        <p className="notice notice-wait">
          <AlertTriangle size={16} aria-hidden="true" /> Copy the key now: it is shown only once. If it is
          lost, delete the key and create a new one.
        </p>
        <div className="secret">
          <code data-testid="new-key-secret">{created.key}</code>
          <CopyButton value={created.key} label="Copy key" />
        </div>
        <p className="muted">
          {created.role} · account <code>{created.account}</code> ·{' '}
          {created.collections ? `only ${created.collections.join(', ')}` : 'all collections'}
        </p>
      </Dialog>
    );
  }

  const fields = error?.fields ?? {};
  const formError =
    error && !['name', 'role', 'account', 'collections'].some((f) => fields[f]) ? error.message : null;
  return (
    <Dialog
      open={open}
      title="New API key"
      onClose={onClose}
      testId="key-dialog"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form="key-create-form" variant="primary" busy={busy}>
            Create key
          </Button>
        </>
      }
    >
      <form id="key-create-form" className="form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <TextField
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={fields.name}
          hint="e.g. Lobby display"
          autoComplete="off"
        />
        <RoleAccountFields
          role={role}
          account={account}
          onRole={setRole}
          onAccount={setAccount}
          errors={fields}
          canMoveAccount={!!me?.superuser}
        />
        <CheckboxGroup
          label="Collections"
          options={collections.map((c) => ({ value: c, label: c }))}
          value={scope}
          onChange={setScope}
          error={fields.collections}
          hint={
            scope.length
              ? `Only ${scope.join(', ')}.`
              : 'None picked: the key reaches every collection of its account.'
          }
          empty="No collections yet: the key will reach every collection of its account."
        />
        <FormError>{formError}</FormError>
      </form>
    </Dialog>
  );
}

export function DeleteKeyDialog({ apiKey, onClose }: { apiKey?: ApiKey; onClose: () => void }) {
  return (
    <ConfirmDialog
      open={!!apiKey}
      title={apiKey ? `Delete the key ${apiKey.name}?` : 'Delete the key?'}
      confirmLabel="Delete key"
      consequence={
        apiKey && (
          <p>
            Every kiosk or script using <code>{apiKey.prefix}…</code> ({apiKey.role}, account {apiKey.account}
            ) loses access at once, and its live connections close. This cannot be undone.
          </p>
        )
      }
      onConfirm={async () => {
        if (!apiKey) return null;
        const r = await deleteKey(apiKey);
        return r.ok ? null : r.error.message;
      }}
      onClose={onClose}
    />
  );
}
