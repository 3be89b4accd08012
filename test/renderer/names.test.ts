import { describe, expect, it } from 'vitest';
import { shortLabel, shortService } from '../../renderer/names';
import { step } from '../../renderer/nav';
import { applyFilter, filterBy, useConsole } from '../../renderer/store';

describe('names in lists', () => {
  it('cuts long service names from the front, keeping whole components', () => {
    expect(shortService('com.acme.vpn.helper')).toBe('com.acme.vpn.helper');
    expect(shortService('ABCDE12345.com.acme.vpn.tunnel')).toBe('…com.acme.vpn.tunnel');
    expect(shortService('com.example.a-really-long-component-name')).toBe('…a-really-long-component-name');
    expect(shortLabel('com.acme.vpn.tunnel')).toBe('tunnel');
  });
});

describe('keyboard movement', () => {
  it('starts at the top going down and at the bottom going up, and stops at the ends', () => {
    expect([step(-1, 1, 5), step(-1, -1, 5), step(4, 1, 5), step(0, -1, 5), step(2, 1, 0)]).toEqual([
      0, 4, 4, 0, -1,
    ]);
  });
});

describe('clicking a value to filter by it', () => {
  it('adds a test to the filter, bracketing an || so the new test narrows all of it', () => {
    applyFilter('');
    filterBy('key', 'tunnelStatus');
    expect(useConsole.getState().filterText).toBe('key == tunnelStatus');
    applyFilter('dir == send || dir == reply');
    filterBy('service', 'needs quoting here', true);
    expect(useConsole.getState().filterText).toBe(
      '(dir == send || dir == reply) && service != "needs quoting here"',
    );
    expect(useConsole.getState().filterProblem).toBeNull();
  });
});
