/** The users of the signed-in admin's account (every account for the superuser). */
import type { StateCreator } from 'zustand';
import type { User } from '../../../../shared/admin';
import { idle, type Resource } from '../../store/resource';
import type { AppState } from '../../store';

export interface UsersState {
  list: Resource<User[]>;
}

export interface UsersSlice {
  users: UsersState;
}

export const initialUsers: UsersState = { list: idle() };

export const createUsersSlice: StateCreator<AppState, [], [], UsersSlice> = () => ({ users: initialUsers });
