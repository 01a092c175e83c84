/** User preferences kept in this browser: the theme (follows the OS unless chosen). */
import type { StateCreator } from 'zustand';
import { patch, useAppStore, type AppState } from './index';

export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

const THEME_KEY = 'switchboard.theme';

export interface PrefsSlice {
  prefs: { theme: ThemeChoice };
}

function savedTheme(): ThemeChoice {
  try {
    const v = globalThis.localStorage?.getItem(THEME_KEY);
    return THEME_CHOICES.includes(v as ThemeChoice) ? (v as ThemeChoice) : 'system';
  } catch {
    return 'system';
  }
}

export const createPrefsSlice: StateCreator<AppState, [], [], PrefsSlice> = () => ({
  prefs: { theme: savedTheme() },
});

/** The theme to paint: the choice, or the OS's when the choice is `system`. */
export function resolveTheme(choice: ThemeChoice, osDark: boolean): 'light' | 'dark' {
  return choice === 'system' ? (osDark ? 'dark' : 'light') : choice;
}

/** Chooses and saves a theme. */
export function setTheme(theme: ThemeChoice): void {
  try {
    localStorage.setItem(THEME_KEY, theme);
  } catch {
    // note: storage may be off (private mode); the choice then lasts for this page only.
  }
  patch('prefs', { theme });
}

/** Paints `<html data-theme>` now and whenever the choice or the OS scheme changes. */
export function startTheme(): () => void {
  const media = matchMedia('(prefers-color-scheme: dark)');
  const apply = (): void => {
    const theme = resolveTheme(useAppStore.getState().prefs.theme, media.matches);
    document.documentElement.dataset.theme = theme;
    document.documentElement.style.colorScheme = theme;
  };
  apply();
  media.addEventListener('change', apply);
  const off = useAppStore.subscribe((s, prev) => {
    if (s.prefs.theme !== prev.prefs.theme) apply();
  });
  return () => {
    media.removeEventListener('change', apply);
    off();
  };
}
