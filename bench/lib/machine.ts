import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir, totalmem } from 'node:os';
import Database from 'better-sqlite3';

/** Facts about the machine a run was made on, for the report header. */
export interface Machine {
  date: string;
  nproc: number;
  cpu: string;
  ramGiB: number;
  node: string;
  sqlite: string;
  /** The filesystem the temp data dirs live on (fsync cost depends on it). */
  tmpFs: string;
  /** 1, 5 and 15 minute load averages when the run started (other work on the machine). */
  load: number[];
}

function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The mount holding the temp dir: "device on mountpoint type fstype". */
function tmpFilesystem(): string {
  try {
    const dir = tmpdir();
    let best: string[] | undefined;
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const f = line.split(' ');
      const mnt = f[1];
      if (!mnt || !(dir === mnt || dir.startsWith(mnt.endsWith('/') ? mnt : mnt + '/'))) continue;
      if (!best || mnt.length >= best[1]!.length) best = f;
    }
    return best ? `${dir} on ${best[0]} (${best[2]}, mounted at ${best[1]})` : dir;
  } catch {
    return tmpdir();
  }
}

export function machine(): Machine {
  const db = new Database(':memory:');
  const sqlite = db.prepare('SELECT sqlite_version() AS v').get() as { v: string };
  db.close();
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpu: cpuModel(),
    ramGiB: totalmem() / 2 ** 30,
    node: process.version,
    sqlite: sqlite.v,
    tmpFs: tmpFilesystem(),
    load: loadavg(),
  };
}
