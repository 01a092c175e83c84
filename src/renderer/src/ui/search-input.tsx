/** The search/filter box of a list screen: `/` focuses it (data-shortcut="filter"), Esc clears it. */
import { Search } from 'lucide-react';

export function SearchInput({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
}) {
  return (
    <div className="search">
      <Search size={15} aria-hidden="true" className="search-icon" />
      <input
        type="search"
        aria-label={label}
        placeholder={`${label}…  ( / )`}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && value) {
            e.preventDefault();
            onChange('');
          }
        }}
        data-shortcut="filter"
      />
    </div>
  );
}
