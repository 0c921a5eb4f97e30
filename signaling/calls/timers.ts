/** Named one-shot timers that can be replaced, cancelled, or cancelled all at once. */
export class Timers {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  set(name: string, ms: number, fire: () => void): void {
    this.clear(name);
    const timer = setTimeout(() => {
      this.pending.delete(name);
      fire();
    }, ms);
    timer.unref();
    this.pending.set(name, timer);
  }

  /** Returns whether a timer was pending. */
  clear(name: string): boolean {
    const timer = this.pending.get(name);
    if (timer) clearTimeout(timer);
    return this.pending.delete(name);
  }

  clearAll(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
