import { describe, expect, it } from 'vitest';
import { Errno } from '../../main/broker/errno';
import { formatErrno, LAUNCHD_ERRORS } from '../../main/broker/errors';

describe('error numbers, named once (XPC-MODEL §3.4)', () => {
  it('every named number has launchd’s string, and every string in the table has a name', () => {
    const named = Object.values(Errno).sort((a, b) => a - b);
    expect(new Set(named).size).toBe(named.length);
    expect(Object.keys(LAUNCHD_ERRORS).map(Number)).toEqual(named);
  });

  it('the numbers are the ones the spec cites', () => {
    expect(Errno).toMatchObject({ EPERM: 1, ESRCH: 3, EIO: 5, EEXIST: 17, EALREADY: 37 });
    expect([Errno.serviceNotFound, Errno.serviceDisabled, Errno.domainActionUnsupported]).toEqual([
      113, 119, 125,
    ]);
    expect([Errno.wrongSession, Errno.lacksEntitlement, Errno.endpointHidden]).toEqual([134, 144, 145]);
    expect([Errno.systemIntegrityProtection, Errno.sandboxRestriction]).toEqual([150, 159]);
    expect(LAUNCHD_ERRORS[Errno.sandboxRestriction]).toBe('Sandbox restriction');
    expect(formatErrno(Errno.sandboxRestriction)).toBe('[159: Unknown error: 159]');
    expect(formatErrno(Errno.EALREADY)).toBe('[37: Operation already in progress]');
  });
});
