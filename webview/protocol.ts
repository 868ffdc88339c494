// Typed messages between the extension host and the diagram webview.
import type { Snapshot } from '../extension/core/snapshot/model';
import type { TraceRef } from '../extension/core/network/net-state-model';

/** Host → webview. */
export type HostToWebview =
  /** A new snapshot to draw; the webview keeps its pan, zoom, filter and selection. */
  | { type: 'snapshot'; snapshot: Snapshot }
  /** Center and select the box of this container ("Show in Diagram"). */
  | { type: 'focus'; container: string }
  /** The engine has no snapshot to draw (unreachable, misconfigured). */
  | { type: 'problem'; message: string }
  /** Each bridge's CAM table as lines, for its hover text (read from the host, at most every two seconds). */
  | { type: 'cam'; bridges: Record<string, string[]> }
  /** Mark the elements a traced path passes through (null: clear); kept across redraws. */
  | { type: 'trace'; title: string; marks: TraceRef[] | null };

/** Webview → host. */
export type WebviewToHost =
  /** The script has loaded and listens: send the current snapshot. */
  | { type: 'ready' }
  /** The user clicked (or pressed Enter on) a container: reveal it in the tree. */
  | { type: 'reveal'; container: string }
  /** Save this standalone SVG (the same document the CLI writes). */
  | { type: 'export'; svg: string }
  /** Something failed in the webview; the host logs it. */
  | { type: 'error'; message: string };
