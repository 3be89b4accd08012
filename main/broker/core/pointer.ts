/**
 * Connection ids look like the heap pointers libxpc prints (`0x600000ef7570`),
 * so log lines read as on a Mac. [I] XPC Lab's own decision: pointers are
 * allocated from a counter, 0x50 apart, and never reused within a session.
 */
export class PointerAllocator {
  private next = 0x600000c04000;

  allocate(): string {
    const value = this.next;
    this.next += 0x50;
    return `0x${value.toString(16)}`;
  }
}
