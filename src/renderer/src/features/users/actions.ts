/**
 * Users: load, create, change, delete. Mutations resolve to an `Outcome` so the dialog that asked can put
 * the server's field messages on its fields; the list is patched in place on success.
 */
import type { User, UserInput, UserPatch } from '../../../../shared/admin';
import { call } from '../../sdk';
import { patch, useAppStore } from '../../store';
import { ready, track } from '../../store/resource';
import { toast } from '../../store/toasts';
import { attempt, type Outcome } from '../../lib/outcome';

const current = () => useAppStore.getState().users.list;
const setList = (fn: (users: User[]) => User[]) => patch('users', { list: ready(fn(current().data ?? [])) });

export async function loadUsers(): Promise<void> {
  await track(
    current,
    (list) => patch('users', { list }),
    () => call((sb) => sb.admin.users.list()),
  );
}

export async function createUser(input: UserInput): Promise<Outcome<User>> {
  const r = await attempt(() => call((sb) => sb.admin.users.create(input)));
  if (r.ok) {
    setList((users) => [...users, r.value]);
    toast(`User ${r.value.email} created.`);
  }
  return r;
}

export async function updateUser(id: string, changes: UserPatch): Promise<Outcome<User>> {
  const r = await attempt(() => call((sb) => sb.admin.users.update(id, changes)));
  if (r.ok) {
    setList((users) => users.map((u) => (u.id === id ? r.value : u)));
    toast(`User ${r.value.email} saved.`);
  }
  return r;
}

export async function deleteUser(user: User): Promise<Outcome> {
  const r = await attempt(() => call((sb) => sb.admin.users.delete(user.id)));
  if (r.ok) {
    setList((users) => users.filter((u) => u.id !== user.id));
    toast(`User ${user.email} deleted.`);
  }
  return r as Outcome;
}
