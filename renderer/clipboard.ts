import { notify } from './store';

/** Copies text; over plain http the async clipboard may be missing, so a selection copy stands in. */
export async function copyText(text: string, what: string): Promise<void> {
  try {
    if (navigator.clipboard) await navigator.clipboard.writeText(text);
    else {
      const area = document.createElement('textarea');
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    notify(`Copied ${what}`, 'info');
  } catch (error) {
    notify(`Could not copy ${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
