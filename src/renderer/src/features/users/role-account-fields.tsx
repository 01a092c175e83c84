/** The role and account pair a user or an API key is given (one row of the user and key dialogs). */
import { ROLES, type Role } from '../../../../shared/admin';
import { SelectField, TextField } from '../../ui/field';

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: r[0]!.toUpperCase() + r.slice(1) }));

export function RoleAccountFields({
  role,
  account,
  onRole,
  onAccount,
  errors,
  canMoveAccount,
  roleDisabled,
  roleHint,
  accountHint,
}: {
  role: Role;
  account: string;
  onRole: (r: Role) => void;
  onAccount: (a: string) => void;
  /** The server's words for each field, if it refused them. */
  errors: { role?: string; account?: string };
  /** Only the owner (superuser) may pick another account. */
  canMoveAccount: boolean;
  roleDisabled?: boolean;
  roleHint?: string;
  accountHint?: string;
}) {
  return (
    <div className="form-row">
      <SelectField
        label="Role"
        options={ROLE_OPTIONS}
        value={role}
        onChange={(e) => onRole(e.target.value as Role)}
        error={errors.role}
        disabled={roleDisabled}
        hint={roleHint}
      />
      <TextField
        label="Account"
        value={account}
        onChange={(e) => onAccount(e.target.value)}
        error={errors.account}
        disabled={!canMoveAccount}
        hint={accountHint}
      />
    </div>
  );
}
