/** Screens that are not built yet (Monitor, Displays) and the page for an unknown address. */
import { Compass, Construction } from 'lucide-react';
import { HOME } from '../lib/router';
import { EmptyState } from '../ui/states';
import { PageHeader } from '../ui/page';

export function SoonScreen({ title, what }: { title: string; what: string }) {
  return (
    <>
      <PageHeader title={title} />
      <EmptyState icon={<Construction size={28} aria-hidden="true" />} title="Coming soon">
        {what}
      </EmptyState>
    </>
  );
}

export function NotFoundScreen({ path }: { path: string }) {
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState
        icon={<Compass size={28} aria-hidden="true" />}
        title={`Nothing lives at ${path}`}
        action={
          <a className="btn btn-secondary" href={`#${HOME}`}>
            Go to collections
          </a>
        }
      >
        The link may be old, or the collection was renamed.
      </EmptyState>
    </>
  );
}
