/** Seqs of the event log read back as the stream's summaries (catch-up after a gap, the prefill, Older, go to). */
import type { HubEvent } from '../../../../shared/events';
import {
  eventHeader,
  noFanout,
  type FanoutFigures,
  type MonitorEventSummary,
} from '../../../../shared/monitor';
import { call } from '../../sdk';
import { monitor } from './api';

// note: the log's page size.
export const PAGE = 1000;

function toSummary(e: HubEvent, figures: FanoutFigures | undefined, instance: string): MonitorEventSummary {
  return { ...eventHeader(e), instance, fanout: figures ?? noFanout() };
}

/** Seqs `from`..`to` of the event log as summaries, with their recorded fan-out figures (while kept). */
export async function fetchRange(from: number, to: number): Promise<MonitorEventSummary[]> {
  const outcomes = await monitor()
    .outcomes({ since: from - 1, until: to, limit: 5000 })
    .catch(() => undefined);
  const figures = new Map<number, FanoutFigures>(
    outcomes?.outcomes.map(({ seq, ...f }) => [seq, f] as const) ?? [],
  );
  const got: MonitorEventSummary[] = [];
  let since = from - 1;
  // note: bounded: one page per PAGE seqs, and one more for a short page.
  for (let pages = 0; pages <= Math.ceil((to - from + 1) / PAGE); pages++) {
    const page = await call((sb) => sb.admin.events({ since, limit: Math.min(PAGE, to - since) }));
    for (const e of page.events)
      if (e.seq <= to) got.push(toSummary(e, figures.get(e.seq), outcomes?.instance ?? 'local'));
    if (page.next_since <= since || page.next_since >= Math.min(to, page.last_seq)) break;
    since = page.next_since;
  }
  return got;
}
