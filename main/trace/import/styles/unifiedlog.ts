import { type LineResult, levelOf } from '../record';
import { parseStamp } from '../time';

/**
 * What mandiant's macos-unifiedlogs `unifiedlog_iterator` writes from a
 * `.logarchive` (XPC-MODEL §10.6): JSONL, one LogData object a line, or CSV
 * with a fixed header. It runs on Linux and Windows, so it is how a
 * sysdiagnose is read off a Mac.
 */

export const CSV_HEADER =
  'Timestamp,Event Type,Log Type,Subsystem,Thread ID,PID,EUID,Library,Library UUID,Activity ID,Parent Activity ID,Category,Process,Process UUID,Message,Raw Message,Boot UUID,System Timezone Name';

const CSV_COLUMNS = CSV_HEADER.split(',');
const COL = {
  timestamp: CSV_COLUMNS.indexOf('Timestamp'),
  eventType: CSV_COLUMNS.indexOf('Event Type'),
  logType: CSV_COLUMNS.indexOf('Log Type'),
  subsystem: CSV_COLUMNS.indexOf('Subsystem'),
  pid: CSV_COLUMNS.indexOf('PID'),
  category: CSV_COLUMNS.indexOf('Category'),
  process: CSV_COLUMNS.indexOf('Process'),
  message: CSV_COLUMNS.indexOf('Message'),
};

export function isCsvHeader(line: string): boolean {
  return line.trim() === CSV_HEADER;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** unifiedlog_iterator's `Log`/`Default` pair; anything but a log event (activity, signpost, …) is not a message. */
function level(eventType: string, logType: string): ReturnType<typeof levelOf> {
  if (eventType !== '' && eventType !== 'Log') return null;
  return levelOf(logType || 'Default');
}

/** RFC 3339 (`2023-10-29T22:10:41.285600000Z`) or nanoseconds since the epoch. */
function timeOf(timestamp: unknown, nanos: unknown): number | null {
  if (typeof nanos === 'number' && Number.isFinite(nanos)) return nanos / 1e6;
  if (typeof timestamp === 'string') return parseStamp(timestamp)?.t ?? null;
  return null;
}

/** One JSONL LogData object: it has `message` and `process`, not `log show`'s `eventMessage`. */
export function isUnifiedLogObject(value: Record<string, unknown>): boolean {
  return typeof value.message === 'string' && 'process' in value && !('eventMessage' in value);
}

export function recordFromUnifiedJson(value: Record<string, unknown>, lineNo: number): LineResult {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const lvl = level(str(value.event_type), str(value.log_type));
  if (!lvl) return null;
  const pid = typeof value.pid === 'number' && Number.isInteger(value.pid) ? value.pid : null;
  const uid = typeof value.euid === 'number' && Number.isInteger(value.euid) ? value.euid : undefined;
  return {
    line: lineNo,
    t: timeOf(value.timestamp, value.time),
    level: lvl,
    process: basename(str(value.process)),
    pid,
    subsystem: str(value.subsystem),
    category: str(value.category),
    message: str(value.message),
    ...(uid === undefined ? {} : { uid }),
    layout: 'unifiedlog-jsonl',
  };
}

export function recordFromCsvRow(row: readonly string[], lineNo: number): LineResult {
  const at = (i: number) => row[i] ?? '';
  const lvl = level(at(COL.eventType), at(COL.logType));
  if (!lvl || row.length < CSV_COLUMNS.length) return null;
  const pid = /^\d+$/.test(at(COL.pid)) ? Number(at(COL.pid)) : null;
  return {
    line: lineNo,
    t: timeOf(at(COL.timestamp), undefined),
    level: lvl,
    process: basename(at(COL.process)),
    pid,
    subsystem: at(COL.subsystem),
    category: at(COL.category),
    message: at(COL.message),
    layout: 'unifiedlog-csv',
  };
}

/**
 * Splits CSV rows as their lines arrive: a quoted field may hold commas,
 * doubled quotes and newlines, so a row can span lines. Holds one row.
 */
export class CsvRows {
  private fields: string[] = [];
  private field = '';
  private quoted = false;
  private startLine = 0;

  /** Feeds one line (without its newline); returns the row it completes, or null while a quoted field is open. */
  line(text: string, lineNo: number): { row: string[]; line: number } | null {
    if (!this.quoted && this.fields.length === 0 && this.field === '') this.startLine = lineNo;
    else if (this.quoted) this.field += '\n';
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (this.quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            this.field += '"';
            i++;
          } else this.quoted = false;
        } else this.field += c;
      } else if (c === '"') this.quoted = true;
      else if (c === ',') {
        this.fields.push(this.field);
        this.field = '';
      } else this.field += c;
    }
    if (this.quoted) return null;
    this.fields.push(this.field);
    const row = this.fields;
    this.fields = [];
    this.field = '';
    return { row, line: this.startLine };
  }
}
