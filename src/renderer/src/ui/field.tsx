/**
 * Form fields with their label, hint and error wired for screen readers (`aria-describedby`,
 * `aria-invalid`). Server validation errors go in `error`, on the field they name.
 */
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';

interface FieldFrame {
  label: string;
  /** The server's or the form's message for this field. */
  error?: string | null;
  hint?: ReactNode;
}

function describedBy(hintId: string, errorId: string, hint: unknown, error: unknown): string | undefined {
  return [error ? errorId : '', hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
}

export function TextField({
  label,
  error,
  hint,
  id,
  className,
  ...input
}: FieldFrame & InputHTMLAttributes<HTMLInputElement>) {
  const auto = useId();
  const inputId = id ?? auto;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${inputId}-hint`, `${inputId}-error`, !error && hint, error)}
        {...input}
      />
      {error && (
        <p id={`${inputId}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
      {hint && !error && (
        <p id={`${inputId}-hint`} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}

export interface SelectOption {
  value: string;
  label: string;
}

export function SelectField({
  label,
  error,
  hint,
  options,
  id,
  ...select
}: FieldFrame & SelectHTMLAttributes<HTMLSelectElement> & { options: readonly SelectOption[] }) {
  const auto = useId();
  const selectId = id ?? auto;
  return (
    <div className="field">
      <label htmlFor={selectId}>{label}</label>
      <select
        id={selectId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${selectId}-hint`, `${selectId}-error`, hint, error)}
        {...select}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {error && (
        <p id={`${selectId}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
      {hint && (
        <p id={`${selectId}-hint`} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/** A multi-select as a list of checkboxes (a fieldset with a legend). */
export function CheckboxGroup({
  label,
  error,
  hint,
  options,
  value,
  onChange,
  empty,
}: FieldFrame & {
  options: readonly SelectOption[];
  value: readonly string[];
  onChange: (next: string[]) => void;
  /** Shown instead of the list when there is nothing to pick. */
  empty?: ReactNode;
}) {
  const id = useId();
  const toggle = (v: string, on: boolean) => onChange(on ? [...value, v] : value.filter((x) => x !== v));
  return (
    <fieldset
      className="field checkbox-group"
      aria-describedby={describedBy(`${id}-hint`, `${id}-error`, hint, error)}
    >
      <legend>{label}</legend>
      {options.length === 0 ? (
        <p className="field-hint">{empty}</p>
      ) : (
        <div className="checkbox-list">
          {options.map((o) => (
            <label key={o.value} className="checkbox">
              <input
                type="checkbox"
                checked={value.includes(o.value)}
                onChange={(e) => toggle(o.value, e.target.checked)}
              />
              {o.label}
            </label>
          ))}
        </div>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
    </fieldset>
  );
}

/** A form-level error (not tied to one field), e.g. "You cannot delete yourself." */
export function FormError({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p className="form-error" role="alert">
      {children}
    </p>
  );
}
