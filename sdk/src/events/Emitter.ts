export interface Disposable {
  dispose(): void;
}

/**
 * A tiny typed event: `emitter.on(listener)` returns a Disposable. A listener
 * that throws is isolated so one bad subscriber cannot break a call.
 */
export class Emitter<T> {
  private listeners: Array<(value: T) => void> = [];

  get size(): number {
    return this.listeners.length;
  }

  on = (listener: (value: T) => void): Disposable => {
    this.listeners = [...this.listeners, listener];
    return {
      dispose: () => {
        this.listeners = this.listeners.filter((l) => l !== listener);
      },
    };
  };

  emit(value: T): void {
    for (const listener of this.listeners) {
      try {
        listener(value);
      } catch {
        // Subscribers are observers; their bugs must not change the call's outcome.
      }
    }
  }
}
