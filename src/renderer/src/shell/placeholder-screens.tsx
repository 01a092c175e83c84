/** The page for an unknown address. */
import { Compass } from 'lucide-react';
import { HOME } from '../lib/router';
import { EmptyState } from '../ui/states';
import { PageHeader } from '../ui/page';

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
