/** Short confirmations ("User created") shown in a live region; they go away by themselves. */
import type { StateCreator } from 'zustand';
import { patch, type AppState } from './index';

export interface Toast {
  id: number;
  message: string;
  tone: 'ok' | 'error';
}

export interface ToastsSlice {
  toasts: { items: Toast[] };
}

export const createToastsSlice: StateCreator<AppState, [], [], ToastsSlice> = () => ({
  toasts: { items: [] },
});

// note: long enough to read a sentence twice; errors stay until dismissed.
const TOAST_MS = 4000;
let nextId = 1;

/** Shows a toast; errors stay until dismissed. */
export function toast(message: string, tone: Toast['tone'] = 'ok'): void {
  const id = nextId++;
  patch('toasts', (t) => ({ items: [...t.items.slice(-3), { id, message, tone }] }));
  if (tone === 'ok') setTimeout(() => dismissToast(id), TOAST_MS);
}

export function dismissToast(id: number): void {
  patch('toasts', (t) => ({ items: t.items.filter((x) => x.id !== id) }));
}
