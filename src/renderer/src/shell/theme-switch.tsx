/** Theme: follow the OS, or always light, or always dark (saved in this browser). */
import { Monitor, Moon, Sun } from 'lucide-react';
import { useAppStore } from '../store';
import { setTheme, type ThemeChoice } from '../store/prefs';

const CHOICES: { value: ThemeChoice; label: string; icon: typeof Sun }[] = [
  { value: 'system', label: 'System', icon: Monitor },
  { value: 'light', label: 'Light', icon: Sun },
  { value: 'dark', label: 'Dark', icon: Moon },
];

export function ThemeSwitch() {
  const theme = useAppStore((s) => s.prefs.theme);
  return (
    <div className="segmented" role="group" aria-label="Theme">
      {CHOICES.map(({ value, label, icon: Icon }) => (
        <button
          key={value}
          type="button"
          className="segmented-item"
          aria-pressed={theme === value}
          title={`${label} theme`}
          onClick={() => setTheme(value)}
        >
          <Icon size={14} aria-hidden="true" />
          <span className="sr-only">{label}</span>
        </button>
      ))}
    </div>
  );
}
