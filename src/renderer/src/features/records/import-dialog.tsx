/**
 * Import a CSV or JSON file: parse it in a worker, map columns to fields (auto-mapped by header), check
 * every row with the server's dry run, report the rows that would fail (downloadable as CSV), then write in
 * batches of 1,000 with a progress bar and cancel. Loaded lazily (React.lazy) with its worker.
 */
import { useEffect, useRef, useState } from 'react';
import { Download, FileUp } from 'lucide-react';
import type { Collection, FieldType } from '../../../../shared/schema';
import { Button } from '../../ui/button';
import { Dialog } from '../../ui/dialog';
import { FormError } from '../../ui/field';
import { autoMap, failuresCsv, type Mapping, type RowFailure } from './import-plan';
import { dryRunAll, importAll, type CancelToken } from './import-run';

interface Parsed {
  headers: string[];
  count: number;
  sample: string[][];
  format: 'csv' | 'json';
}

type Step =
  | { kind: 'pick' }
  | { kind: 'map' }
  | { kind: 'checking'; done: number; total: number }
  | { kind: 'report'; failures: RowFailure[]; valid: number }
  | { kind: 'importing'; done: number; total: number }
  | { kind: 'done'; imported: number; failures: RowFailure[]; error?: string; cancelled: boolean };

const SHOWN_FAILURES = 100;

export default function ImportDialog({
  collection,
  onClose,
}: {
  collection: Collection;
  onClose: () => void;
}) {
  const worker = useRef<Worker | null>(null);
  const cancel = useRef<CancelToken>({ cancelled: false });
  const [step, setStep] = useState<Step>({ kind: 'pick' });
  const [parsed, setParsed] = useState<Parsed | null>(null);
  const [mapping, setMapping] = useState<Mapping>([]);
  const [error, setError] = useState<string | null>(null);
  const [fileName, setFileName] = useState('');
  const records = useRef<Record<string, unknown>[]>([]);
  const failuresRef = useRef<{ index: number; errors: Record<string, string> }[]>([]);

  const types: Record<string, FieldType> = { id: 'text' };
  for (const f of collection.fields) types[f.name] = f.type;
  const rowNumber = (i: number) => (parsed?.format === 'json' ? i + 1 : i + 2);

  useEffect(() => {
    const w = new Worker(new URL('./import-worker.ts', import.meta.url), { type: 'module' });
    worker.current = w;
    return () => {
      cancel.current.cancelled = true;
      w.terminate();
    };
  }, []);

  const ask = <T,>(msg: unknown, want: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const w = worker.current!;
      w.onmessage = (e: MessageEvent<{ type: string; message?: string }>) => {
        if (e.data.type === 'error') reject(new Error(e.data.message));
        else if (e.data.type === want) resolve(e.data as T);
      };
      w.postMessage(msg);
    });

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    setFileName(file.name);
    try {
      const p = await ask<Parsed>({ type: 'parse', file }, 'parsed');
      setParsed(p);
      setMapping(autoMap(p.headers, collection.fields));
      setStep({ kind: 'map' });
    } catch (e) {
      setError(`Could not read ${file.name}: ${(e as Error).message}`);
    }
  };

  const write = async (indexes: number[] | null) => {
    const all = records.current;
    const list = indexes ? indexes.map((i) => all[i]!) : all;
    setStep({ kind: 'importing', done: 0, total: list.length });
    const r = await importAll(
      collection.name,
      list,
      (i) => rowNumber(indexes ? indexes[i]! : i),
      (done, total) => setStep({ kind: 'importing', done, total }),
      cancel.current,
    );
    setStep({ kind: 'done', ...r });
  };

  const start = async () => {
    setError(null);
    cancel.current = { cancelled: false };
    try {
      const { records: recs } = await ask<{ records: Record<string, unknown>[] }>(
        { type: 'convert', mapping, types },
        'records',
      );
      records.current = recs;
      if (!recs.length) {
        setError('The file has no rows.');
        return;
      }
      setStep({ kind: 'checking', done: 0, total: recs.length });
      const failures = await dryRunAll(
        collection.name,
        recs,
        (done, total) => setStep({ kind: 'checking', done, total }),
        cancel.current,
      );
      if (cancel.current.cancelled) {
        setStep({ kind: 'map' });
        return;
      }
      failuresRef.current = failures;
      if (failures.length) {
        setStep({
          kind: 'report',
          failures: failures.map((f) => ({ row: rowNumber(f.index), errors: f.errors })),
          valid: recs.length - failures.length,
        });
        return;
      }
      await write(null);
    } catch (e) {
      setError((e as Error).message);
      setStep({ kind: 'map' });
    }
  };

  const importValid = () => {
    const bad = new Set(failuresRef.current.map((f) => f.index));
    void write(records.current.map((_, i) => i).filter((i) => !bad.has(i)));
  };

  const download = (failures: RowFailure[]) => {
    const url = URL.createObjectURL(new Blob([failuresCsv(failures)], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${collection.name}-import-errors.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const busy = step.kind === 'checking' || step.kind === 'importing';
  const mappedCount = mapping.filter(Boolean).length;
  const fieldOptions = ['id', ...collection.fields.map((f) => f.name)];

  let body;
  let footer;
  switch (step.kind) {
    case 'pick':
      body = (
        <div className="imp-pick">
          <FileUp size={28} aria-hidden="true" className="muted" />
          <p>
            Choose a <strong>CSV</strong> file with a header row, or a <strong>JSON</strong> array of objects.
            Columns are matched to the fields of <strong>{collection.name}</strong> by name; you can change
            that next.
          </p>
          <label className="btn btn-primary imp-file">
            Choose a file…
            <input
              type="file"
              accept=".csv,.json,text/csv,application/json"
              data-testid="import-file"
              className="sr-only"
              onChange={(e) => void onFile(e.target.files?.[0])}
            />
          </label>
        </div>
      );
      footer = <Button onClick={onClose}>Cancel</Button>;
      break;
    case 'map':
      body = (
        <>
          <p>
            <strong>{fileName}</strong>: {parsed!.count.toLocaleString()} rows, {parsed!.headers.length}{' '}
            columns. Choose the field each column goes to.
          </p>
          <div className="imp-map-wrap">
            <table className="table imp-map">
              <thead>
                <tr>
                  <th>Column</th>
                  <th>Sample</th>
                  <th>Field</th>
                </tr>
              </thead>
              <tbody>
                {parsed!.headers.map((h, i) => (
                  <tr key={`${h}-${i}`}>
                    <td>
                      <code>{h || `(column ${i + 1})`}</code>
                    </td>
                    <td className="muted">
                      {parsed!.sample
                        .map((r) => r[i] ?? '')
                        .filter(Boolean)
                        .slice(0, 2)
                        .join(', ')}
                    </td>
                    <td>
                      <select
                        aria-label={`Field for column ${h || i + 1}`}
                        value={mapping[i] ?? ''}
                        onChange={(e) =>
                          setMapping((m) => m.map((x, j) => (j === i ? e.target.value || null : x)))
                        }
                      >
                        <option value="">Skip this column</option>
                        {fieldOptions.map((f) => (
                          <option key={f} value={f}>
                            {f === 'id' ? 'id (keep the record id)' : `${f} (${types[f]})`}
                          </option>
                        ))}
                      </select>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted">
            Every row is checked first (nothing is written if you stop then); rows that would fail are listed
            with the reason.
          </p>
        </>
      );
      footer = (
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant="primary"
            data-testid="import-start"
            disabled={!mappedCount}
            onClick={() => void start()}
          >
            Import {parsed!.count.toLocaleString()} rows
          </Button>
        </>
      );
      break;
    case 'checking':
    case 'importing':
      body = (
        <div className="imp-progress">
          <p>
            {step.kind === 'checking' ? 'Checking' : 'Importing'} {step.done.toLocaleString()} of{' '}
            {step.total.toLocaleString()} rows…
          </p>
          <progress
            max={step.total}
            value={step.done}
            aria-label={step.kind === 'checking' ? 'Check progress' : 'Import progress'}
          />
        </div>
      );
      footer = (
        <Button
          onClick={() => {
            cancel.current.cancelled = true;
          }}
        >
          {step.kind === 'checking' ? 'Stop checking' : 'Stop the import'}
        </Button>
      );
      break;
    case 'report':
      body = (
        <>
          <p className="notice notice-wait" role="alert" data-testid="import-report">
            {step.failures.length.toLocaleString()} row{step.failures.length === 1 ? '' : 's'} would not
            import; {step.valid.toLocaleString()} are valid. Nothing has been written yet.
          </p>
          <FailureTable failures={step.failures} />
        </>
      );
      footer = (
        <>
          <Button
            variant="ghost"
            className="push-start"
            icon={<Download size={15} aria-hidden="true" />}
            onClick={() => download(step.failures)}
          >
            Download the report (CSV)
          </Button>
          <Button onClick={() => setStep({ kind: 'map' })}>Back</Button>
          <Button variant="primary" data-testid="import-valid" disabled={!step.valid} onClick={importValid}>
            Import the {step.valid.toLocaleString()} valid rows
          </Button>
        </>
      );
      break;
    case 'done':
      body = (
        <div data-testid="import-done">
          <p className={step.error ? 'notice notice-bad' : 'notice'} role="status">
            {step.cancelled
              ? `Stopped: ${step.imported.toLocaleString()} records were imported before you stopped.`
              : step.error
                ? `Stopped after ${step.imported.toLocaleString()} records: ${step.error}`
                : `Imported ${step.imported.toLocaleString()} records into ${collection.name}.`}
          </p>
          {step.failures.length > 0 && <FailureTable failures={step.failures} />}
        </div>
      );
      footer = (
        <Button variant="primary" onClick={onClose} data-autofocus>
          Close
        </Button>
      );
      break;
  }

  return (
    <Dialog
      open
      size="lg"
      title={`Import into ${collection.name}`}
      onClose={() => {
        if (busy) cancel.current.cancelled = true;
        onClose();
      }}
      testId="import-dialog"
      footer={footer}
    >
      {body}
      <FormError>{error}</FormError>
    </Dialog>
  );
}

function FailureTable({ failures }: { failures: RowFailure[] }) {
  return (
    <div className="imp-map-wrap">
      <table className="table" data-testid="import-failures">
        <thead>
          <tr>
            <th style={{ width: '6rem' }}>Row</th>
            <th>What is wrong</th>
          </tr>
        </thead>
        <tbody>
          {failures.slice(0, SHOWN_FAILURES).map((f) => (
            <tr key={f.row}>
              <td>{f.row}</td>
              <td className="imp-reason">
                {Object.entries(f.errors)
                  .map(([k, v]) => `${k}: ${v}`)
                  .join('; ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {failures.length > SHOWN_FAILURES && (
        <p className="muted">
          …and {(failures.length - SHOWN_FAILURES).toLocaleString()} more in the downloadable report.
        </p>
      )}
    </div>
  );
}
