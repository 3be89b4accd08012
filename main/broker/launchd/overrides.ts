/**
 * The disabled-overrides database (XPC-MODEL §4.5): disabled.plist for
 * `system`, disabled.<uid>.plist per user. It lives outside every job plist,
 * so an entry outlives the plist it was written for. The plist's own
 * `Disabled` key is only the default when the database has no entry.
 */
export class DisabledOverrides {
  /** domain → label → disabled */
  private readonly byDomain = new Map<string, Map<string, boolean>>();

  constructor(disabledTargets: readonly string[] = []) {
    for (const target of disabledTargets) {
      const parsed = parseServiceTarget(target);
      if (parsed) this.set(parsed.domain, parsed.label, true);
    }
  }

  isDisabled(domain: string, label: string, plistDefault = false): boolean {
    return this.byDomain.get(domain)?.get(label) ?? plistDefault;
  }

  /** `launchctl enable|disable <domain>/<label>`: writes the entry, loads or unloads nothing. */
  set(domain: string, label: string, disabled: boolean): void {
    let labels = this.byDomain.get(domain);
    if (!labels) {
      labels = new Map();
      this.byDomain.set(domain, labels);
    }
    labels.set(label, disabled);
  }

  /** `launchctl print-disabled <domain>` (XPC-MODEL §4.5). */
  print(domain: string): string {
    const rows = [...(this.byDomain.get(domain) ?? new Map<string, boolean>())]
      .map(([label, disabled]) => `\t"${label}" => ${disabled ? 'disabled' : 'enabled'}`)
      .join('\n');
    return `disabled services = {\n${rows}${rows ? '\n' : ''}}`;
  }
}

/** A service target, `<domain>/<label>` (XPC-MODEL §3.1): system/x, gui/501/x, user/501/x. */
export function parseServiceTarget(target: string): { domain: string; label: string } | undefined {
  const m = /^(system|(?:gui|user|login)\/\d+)\/(.+)$/.exec(target);
  return m ? { domain: m[1]!, label: m[2]! } : undefined;
}
