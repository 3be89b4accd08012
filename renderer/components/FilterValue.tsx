import type { ReactNode } from 'react';
import { filterBy } from '../store';

/** A value in a row that narrows the filter to it when clicked (Shift-click: everything but it). */
export function FilterValue({
  field,
  value,
  children,
  className = '',
}: {
  field: string;
  value: string | number;
  children?: ReactNode;
  className?: string;
}) {
  return (
    <button
      type="button"
      className={`fv ${className}`}
      data-field={field}
      title={`Filter by ${field} == ${value}  (Shift-click: !=)`}
      onClick={(e) => {
        e.stopPropagation();
        filterBy(field, value, e.shiftKey);
      }}
    >
      {children ?? value}
    </button>
  );
}
