/**
 * The records of one collection: the filter, the total, the column choice, the virtualized live table,
 * the bulk bar for checked rows, import and export, and the side panel of the open record. The query
 * (filter, sort, scroll row, open record) lives in the URL, so a deep link survives a reload.
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { Columns3, Download, Plus, Upload, Database } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import type { Collection } from '../../../../shared/schema';
import { useAppStore } from '../../store';
import { setQuery } from '../../store/route';
import { Button } from '../../ui/button';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import { closeQuery, exportCsv, openQuery, reload } from './actions';
import { BulkBar } from './bulk-bar';
import { allColumns, loadHidden, saveHidden } from './columns';
import { FilterInput } from './filter-input';
import { checkFilterText, DEFAULT_SORT, fieldTypesOf, nextSort, queryKey } from './query';
import { RecordPanel } from './record-panel';
import { RecordsTable } from './records-table';
import './records.css';

const ImportDialog = lazy(() => import('./import-dialog'));

export function RecordsView({ name }: { name: string }) {
  const collection = useAppStore((s) => s.collections.list.data?.find((c) => c.name === name));
  if (!collection) return <LoadingState label={`Loading ${name}…`} />;
  return <Records collection={collection} />;
}

function Records({ collection }: { collection: Collection }) {
  const name = collection.name;
  const query = useAppStore(
    useShallow((s) => ({
      filter: s.route.query.filter ?? '',
      sort: s.route.query.sort ?? DEFAULT_SORT,
      at: Number(s.route.query.at ?? 0) || 0,
      record: s.route.query.record,
    })),
  );
  const { total, error, loaded, key } = useAppStore(
    useShallow((s) => ({
      total: s.records.cache.total,
      error: s.records.error,
      loaded: s.records.cache.pages.size > 0,
      key: s.records.key,
    })),
  );
  const types = useMemo(() => fieldTypesOf(collection), [collection]);
  const parsed = useMemo(() => checkFilterText(query.filter, types), [query.filter, types]);
  const filter = parsed.ok ? parsed.filter : undefined;
  const [hidden, setHidden] = useState(() => loadHidden(name));
  const [importing, setImporting] = useState(false);
  const columns = useMemo(
    () => allColumns(collection).filter((c) => !hidden.includes(c.name)),
    [collection, hidden],
  );

  useEffect(() => {
    if (parsed.ok) openQuery(name, query.filter, filter, query.sort);
  }, [name, query.filter, query.sort, parsed.ok]);
  useEffect(() => () => closeQuery(), [name]);

  const onSort = useCallback(
    (field: string) => setQuery({ sort: nextSort(query.sort, field), at: undefined }),
    [query.sort],
  );
  const onOpen = useCallback((id: string) => setQuery({ record: id }), []);
  const onAnchor = useCallback((row: number) => {
    if (row !== (Number(useAppStore.getState().route.query.at ?? 0) || 0)) setQuery({ at: row || undefined });
  }, []);
  const current = key === queryKey(name, query.filter, query.sort);

  let body;
  if (!parsed.ok) {
    body = (
      <ErrorState
        title="The filter in the address is not valid"
        message={parsed.message}
        onRetry={() => setQuery({ filter: undefined })}
      />
    );
  } else if (error && !loaded) {
    body = <ErrorState title={`Could not load ${name}`} message={error.message} onRetry={() => reload()} />;
  } else if (!loaded || !current) {
    body = <LoadingState label="Loading records…" />;
  } else if (total === 0) {
    body = query.filter ? (
      <EmptyState title="No record matches this filter">
        <Button size="sm" onClick={() => setQuery({ filter: undefined, at: undefined })}>
          Clear the filter
        </Button>
      </EmptyState>
    ) : (
      <EmptyState icon={<Database size={28} aria-hidden="true" />} title={`${name} has no records yet`}>
        Create one with <strong>New record</strong>, or import a CSV or JSON file.
      </EmptyState>
    );
  } else {
    body = (
      <RecordsTable
        key={key}
        columns={columns}
        sort={query.sort}
        onSort={onSort}
        onOpen={onOpen}
        openId={query.record}
        initialRow={query.at}
        onAnchor={onAnchor}
      />
    );
  }

  return (
    <div className="rv">
      <div className="rv-toolbar">
        <FilterInput
          value={query.filter}
          fields={collection.fields}
          types={types}
          onApply={(text) => setQuery({ filter: text || undefined, at: undefined })}
        />
        <span className="rv-total" data-testid="records-total" aria-live="polite">
          {loaded && current ? `${total.toLocaleString()} record${total === 1 ? '' : 's'}` : '…'}
          {query.filter && parsed.ok && loaded && current ? ' match' : ''}
        </span>
        <div className="rv-actions">
          <details className="rv-cols">
            <summary className="btn btn-secondary btn-sm" aria-label="Choose columns">
              <Columns3 size={15} aria-hidden="true" /> Columns
            </summary>
            <fieldset className="rv-cols-pop">
              <legend className="sr-only">Columns shown</legend>
              {allColumns(collection).map((c) => (
                <label key={c.name} className="checkbox">
                  <input
                    type="checkbox"
                    checked={!hidden.includes(c.name)}
                    onChange={(e) => {
                      const next = e.target.checked
                        ? hidden.filter((h) => h !== c.name)
                        : [...hidden, c.name];
                      setHidden(next);
                      saveHidden(name, next);
                    }}
                  />
                  {c.name}
                </label>
              ))}
            </fieldset>
          </details>
          <Button
            size="sm"
            icon={<Download size={15} aria-hidden="true" />}
            data-testid="export-csv"
            disabled={!parsed.ok}
            onClick={() => void exportCsv(name, filter, query.sort)}
          >
            Export CSV
          </Button>
          <Button
            size="sm"
            icon={<Upload size={15} aria-hidden="true" />}
            data-testid="import-open"
            onClick={() => setImporting(true)}
          >
            Import
          </Button>
          <Button
            size="sm"
            variant="primary"
            icon={<Plus size={15} aria-hidden="true" />}
            onClick={() => setQuery({ record: 'new' })}
          >
            New record
          </Button>
        </div>
      </div>
      <BulkBar collection={collection} filter={filter} total={total} />
      <div className="rv-body">
        {body}
        {query.record && (
          <RecordPanel
            key={query.record}
            collection={collection}
            id={query.record}
            onClose={() => setQuery({ record: undefined })}
          />
        )}
      </div>
      {importing && (
        <Suspense fallback={null}>
          <ImportDialog collection={collection} onClose={() => setImporting(false)} />
        </Suspense>
      )}
    </div>
  );
}
