/** The shape VS Code's Disposable has, without importing vscode. */
export interface Disposable {
  dispose(): void;
}

/** A minimal typed event: subscribe with a listener, get back a Disposable. */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  readonly event = (listener: (value: T) => void): Disposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }

  dispose(): void {
    this.listeners.clear();
  }
}
