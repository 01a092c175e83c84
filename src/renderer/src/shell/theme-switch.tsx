/** Theme: follow the OS, or always light, or always dark (saved in this browser). */
import { Monitor, Moon, Sun } from 'lucide-react';
import { useAppStore } from '../store';
import { setTheme, type ThemeChoice } from '../store/prefs';
import { Segmented, type SegmentedOption } from '../ui/segmented';

function choice(value: ThemeChoice, label: string, Icon: typeof Sun): SegmentedOption<ThemeChoice> {
  return {
    value,
    title: `${label} theme`,
    content: (
      <>
        <Icon size={14} aria-hidden="true" />
        <span className="sr-only">{label}</span>
      </>
    ),
  };
}

const CHOICES = [
  choice('system', 'System', Monitor),
  choice('light', 'Light', Sun),
  choice('dark', 'Dark', Moon),
];

export function ThemeSwitch() {
  const theme = useAppStore((s) => s.prefs.theme);
  return <Segmented label="Theme" options={CHOICES} value={theme} onChange={setTheme} />;
}
