// A VS Code terminal backed by a process attached over the Docker API: input,
// output and resizes flow through; the exit code is shown when it ends.

import * as vscode from 'vscode';
import type { AttachedProcess } from '../core/engine/attached-process';

const TRANSCRIPT_LIMIT = 64 * 1024;

export class ProcessTerminal implements vscode.Pseudoterminal, vscode.Disposable {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private proc: AttachedProcess | null = null;
  private size: vscode.TerminalDimensions | undefined;
  private decoder = new TextDecoder();
  /** The tail of what was shown, for tests and "what did it print" questions. */
  transcript = '';
  exitCode: number | null = null;
  private closed = false;

  constructor(
    private readonly start: (size: vscode.TerminalDimensions | undefined) => Promise<AttachedProcess>,
    private readonly banner?: string,
  ) {}

  open(initial: vscode.TerminalDimensions | undefined): void {
    this.size = initial;
    if (this.banner) this.show(`\x1b[2m${this.banner.replace(/\n/g, '\r\n')}\x1b[0m\r\n`);
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      const proc = await this.start(this.size);
      if (this.closed) {
        // Closed while it was starting: nobody will ever see it, so end it now.
        proc.dispose();
        return;
      }
      this.proc = proc;
      proc.onData((chunk) => this.show(this.decoder.decode(chunk, { stream: true })));
      // Resizing is only accepted once the exec has started.
      if (this.size) await proc.resize(this.size.columns, this.size.rows);
      const code = await proc.exited;
      this.finish(code, `\r\n\x1b[2m[process exited with code ${code}]\x1b[0m\r\n`);
    } catch (error) {
      this.finish(1, `\r\n\x1b[31m${(error as Error).message}\x1b[0m\r\n`);
    }
  }

  private finish(code: number, message: string): void {
    this.exitCode = code;
    this.show(message);
    this.proc?.dispose();
    this.proc = null;
  }

  private show(text: string): void {
    this.transcript = (this.transcript + text).slice(-TRANSCRIPT_LIMIT);
    this.writeEmitter.fire(text);
  }

  handleInput(data: string): void {
    if (this.proc) this.proc.write(data);
    else if (this.exitCode !== null) this.closeEmitter.fire(this.exitCode); // any key closes a finished terminal
  }

  setDimensions(size: vscode.TerminalDimensions): void {
    this.size = size;
    void this.proc?.resize(size.columns, size.rows);
  }

  close(): void {
    this.closed = true;
    this.proc?.dispose();
    this.proc = null;
  }

  dispose(): void {
    this.close();
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}
