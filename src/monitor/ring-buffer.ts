/** A fixed-size buffer that keeps the last `capacity` values pushed into it. */
export class RingBuffer<T> {
  private readonly items: T[] = [];
  private next = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  /** Adds a value, dropping the oldest when full. */
  push(value: T): void {
    if (this.items.length < this.capacity) {
      this.items.push(value);
    } else {
      this.items[this.next] = value;
    }
    this.next = (this.next + 1) % this.capacity;
  }

  /** How many values it holds. */
  get size(): number {
    return this.items.length;
  }

  /** The values, oldest first. */
  toArray(): T[] {
    if (this.items.length < this.capacity) return [...this.items];
    return [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}
