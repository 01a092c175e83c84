/** LAN sharing: read the switch, flip it (superuser only; the server answers the new status). */
import { call } from '../../sdk';
import { patch, useAppStore } from '../../store';
import { ready, track } from '../../store/resource';
import { toast } from '../../store/toasts';
import { attempt, type Outcome } from '../../lib/outcome';
import type { SharingStatus } from '../../../../shared/displays';
import { displaysClient } from './api';

const current = () => useAppStore.getState().sharing.status;

export async function loadSharing(): Promise<void> {
  await track(
    current,
    (status) => patch('sharing', { status }),
    () => call(() => displaysClient().sharing()),
  );
}

/** Refreshes quietly (the LAN client count) without a loading state. */
export async function refreshSharing(): Promise<void> {
  try {
    const s = await call(() => displaysClient().sharing());
    patch('sharing', { status: ready(s) });
  } catch {
    // the next refresh or a reload shows the error
  }
}

export async function setSharing(lan: boolean): Promise<Outcome<SharingStatus>> {
  const r = await attempt(() => call(() => displaysClient().share(lan)));
  if (r.ok) {
    patch('sharing', { status: ready(r.value) });
    toast(
      lan
        ? 'Shared on the LAN: other machines can connect now.'
        : 'LAN sharing is off: only this machine can connect.',
    );
  }
  return r;
}
