import type { ReactNode } from 'react';
import { filterBy } from '../store';

/** A value in a row that narrows the filter to it when clicked (Shift-click: everything but it). */
export function FilterValue({
  field,
  value,
  children,
  className = '',
  tabIndex,
}: {
  field: string;
  value: string | number;
  children?: ReactNode;
  className?: string;
  /** -1 inside a grid row: the row is the one tab stop; its buttons are reached by pointer. */
  tabIndex?: number;
}) {
  return (
    <button
      type="button"
      className={`fv ${className}`}
      data-field={field}
      {...(tabIndex === undefined ? {} : { tabIndex })}
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
