/**
 * Which reads are worth remembering: a memo (row MACs proven, values opened) takes an item only
 * when the same item was missed once before, lately. A store read at random across a million
 * rows then seldom pays to remember what it will not read again (copies and map entries that
 * live long enough to be promoted in the heap: a quarter of a GetParameter's time at 1,000,000
 * parameters), while a working set read again is remembered from its second read on.
 *
 * Items are known by 32 bits of something already random about them (a MAC, a GCM tag): no
 * allocation, no hashing. Two items sharing their bits let one in early, which costs only memory.
 */
const SLOTS = 1 << 18;
/** After this many marks the filter starts over: "lately" is within about this many misses. */
const MARKS_KEPT = 16_384;

export class ReadAgainFilter {
  private readonly marks = new Uint8Array(SLOTS);
  private count = 0;

  /** Whether the item `bits` stands for was marked lately; marks it if not. */
  seenBefore(bits: number): boolean {
    const slot = bits & (SLOTS - 1);
    if (this.marks[slot] === 1) return true;
    if (this.count >= MARKS_KEPT) {
      this.marks.fill(0);
      this.count = 0;
    }
    this.marks[slot] = 1;
    this.count++;
    return false;
  }
}
