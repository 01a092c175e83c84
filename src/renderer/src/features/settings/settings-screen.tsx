/**
 * Settings: the server, the appearance, and the instance settings (the owner's): limits and heartbeat
 * (start-up options), event retention (applies live) and scale-out.
 */
import { useAppStore } from '../../store';
import { ThemeSwitch } from '../../shell/theme-switch';
import { Card, PageHeader } from '../../ui/page';
import { FixedSettingsCard, RetentionCard } from './instance-card';
import { ShareOnLanCard } from '../sharing/sharing-card';
import { ScaleOutCard } from './scale-out-card';
import { ServerCard } from './server-card';

export function SettingsScreen() {
  const instance = useAppStore((s) => s.settings.instance.data);
  return (
    <>
      <PageHeader title="Settings" description="This server and how it runs." />
      <div className="cards">
        <ServerCard />
        <Card title="Appearance">
          <div className="setting-row">
            <span>Theme</span>
            <ThemeSwitch />
          </div>
        </Card>
        {instance?.retention && <RetentionCard retention={instance.retention} />}
        {instance?.limits && (
          <FixedSettingsCard
            title="Limits"
            values={instance.limits}
            testId="limits"
            note="Set with start-up flags; a change takes effect when the server next starts."
          />
        )}
        {instance?.heartbeat && (
          <FixedSettingsCard
            title="Heartbeat"
            values={instance.heartbeat}
            testId="heartbeat"
            note="How often realtime connections are pinged and when a silent one counts as gone. Start-up flags."
          />
        )}
        <ShareOnLanCard />
        <ScaleOutCard />
      </div>
    </>
  );
}
