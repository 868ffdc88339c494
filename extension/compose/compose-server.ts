// The compose language server. In VS Code the client pushes the live snapshot
// (one engine connection for the whole extension); run standalone
// (`container-internals lsp --stdio`) it follows the engine itself.

import * as fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeLens,
  CompletionItem,
  CompletionItemKind,
  type Connection,
  Diagnostic,
  DiagnosticSeverity,
  Hover,
  Location,
  MarkupKind,
  Range,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { EngineSession, type SessionTarget } from '../core/session/engine-session';
import { sessionProblemLine } from '../present/session-problem';
import type { Snapshot } from '../core/snapshot/model';
import { type ComposeFile, parseComposeFile, type Span } from './compose-file';
import { definitionAt, diagnose, hoverAt, type InsightContext, lensesFor, networkModeCompletions } from './compose-insights';
import { type ComposeServerOptions, SnapshotNotification } from './protocol';

/**
 * `standalone`: which engine to follow when the client does not push
 * snapshots (the CLI's `lsp --stdio`, with its --host, --context and --helper).
 */
export function startComposeServer(connection: Connection, standalone: SessionTarget): void {
  const documents = new TextDocuments(TextDocument);
  let snapshot: Snapshot | null = null;
  let problem: string | null = 'waiting for the first look at the Docker engine';
  let session: EngineSession | null = null;
  let lensRefresh = false;

  const context = (): InsightContext => ({ snapshot, problem, exists: (p) => fs.existsSync(p) });
  // Hover, lenses, definition and diagnostics all ask for the same version of a document: parse it once.
  const cache = new Map<string, { version: number; file: ComposeFile }>();
  const parsed = (doc: TextDocument): ComposeFile => {
    const hit = cache.get(doc.uri);
    if (hit?.version === doc.version) return hit.file;
    const file = parseComposeFile(doc.getText(), doc.uri.startsWith('file:') ? fileURLToPath(doc.uri) : doc.uri);
    cache.set(doc.uri, { version: doc.version, file });
    return file;
  };
  const range = (doc: TextDocument, span: Span): Range => Range.create(doc.positionAt(span.start), doc.positionAt(span.end));

  const validate = (doc: TextDocument): void => {
    const diagnostics = diagnose(parsed(doc), context()).map((f) =>
      Diagnostic.create(
        range(doc, f.span),
        f.message,
        f.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
        f.code,
        'container-internals',
      ),
    );
    void connection.sendDiagnostics({ uri: doc.uri, diagnostics });
  };
  const stateChanged = (next: Snapshot | null, why: string | null): void => {
    snapshot = next;
    problem = why;
    for (const doc of documents.all()) validate(doc);
    if (lensRefresh) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  };

  connection.onInitialize((params) => {
    const options = (params.initializationOptions ?? {}) as ComposeServerOptions;
    lensRefresh = !!params.capabilities.workspace?.codeLens?.refreshSupport;
    if (!options.snapshotFromClient) {
      session = new EngineSession('lsp', 'compose language server', standalone, (level, message) =>
        connection.console[level === 'warn' ? 'warn' : level](message),
      );
      session.onDidChangeState((state) => {
        if (state.kind === 'ready') stateChanged(state.snapshot, null);
        else {
          const why = sessionProblemLine(state);
          if (why) stateChanged(null, why);
        }
      });
      session.ensureStarted();
    }
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        completionProvider: { triggerCharacters: [':'] },
        definitionProvider: true,
      },
      serverInfo: { name: 'container-internals compose' },
    };
  });

  connection.onNotification(SnapshotNotification, (params) => stateChanged(params.snapshot, params.problem));
  documents.onDidChangeContent((e) => validate(e.document));
  documents.onDidClose((e) => {
    cache.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover(({ textDocument, position }): Hover | null => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return null;
    const found = hoverAt(parsed(doc), doc.offsetAt(position), context());
    return found ? { contents: { kind: MarkupKind.Markdown, value: found.markdown }, range: range(doc, found.span) } : null;
  });

  connection.onCodeLens(({ textDocument }): CodeLens[] => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    return lensesFor(parsed(doc), snapshot).map((l) => ({ range: range(doc, l.span), command: { title: l.title, command: l.command, arguments: l.args } }));
  });

  connection.onCompletion(({ textDocument, position }): CompletionItem[] => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    return networkModeCompletions(doc.offsetAt(position), doc.getText(), snapshot).map((name) => ({
      label: name,
      kind: CompletionItemKind.Reference,
      detail: 'running container',
    }));
  });

  connection.onDefinition(({ textDocument, position }): Location | null => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return null;
    const target = definitionAt(parsed(doc), doc.offsetAt(position));
    return target ? Location.create(pathToFileURL(target).href, Range.create(0, 0, 0, 0)) : null;
  });

  connection.onShutdown(() => session?.dispose());
  documents.listen(connection);
  connection.listen();
}
