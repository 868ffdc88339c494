// The diagram webview. It draws with the same function as the CLI export, and
// inserts the SVG as a parsed document (names are escaped text inside it, and
// the CSP refuses any inline script or handler). Pan, zoom, filter, search and
// selection survive live updates.

import { renderDiagramSvg } from '../extension/present/diagram-svg';
import type { Snapshot } from '../extension/core/snapshot/model';
import type { HostToWebview, WebviewToHost } from './protocol';
import type { TraceRef } from '../extension/core/network/net-state-model';

interface ViewState {
  viewBox: [number, number, number, number] | null;
  network: string;
  search: string;
  selected: string | null;
  /** Bridges whose crowd of containers is drawn one by one instead of as one group box. */
  expanded: string[];
}

declare function acquireVsCodeApi(): { postMessage(message: WebviewToHost): void; getState(): ViewState | undefined; setState(state: ViewState): void };

const vscode = acquireVsCodeApi();
const state: ViewState = { viewBox: null, network: '', search: '', selected: null, expanded: [], ...vscode.getState() };
const canvas = document.getElementById('canvas') as HTMLDivElement;
const networkSelect = document.getElementById('network') as HTMLSelectElement;
const searchInput = document.getElementById('search') as HTMLInputElement;
const status = document.getElementById('status') as HTMLSpanElement;
let snapshot: Snapshot | null = null;
let svg: SVGSVGElement | null = null;
let renderSeq = 0;
/** Each bridge's CAM table, added to its hover text after every redraw. */
let cam: Record<string, string[]> = {};
/** The last traced path, marked again after every redraw. */
let trace: { title: string; marks: TraceRef[] } | null = null;

const post = (message: WebviewToHost): void => vscode.postMessage(message);
const save = (): void => vscode.setState(state);

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const message = event.data;
  if (message.type === 'snapshot') {
    snapshot = message.snapshot;
    void draw();
  } else if (message.type === 'focus') {
    focusContainer(message.container);
  } else if (message.type === 'cam') {
    cam = message.bridges;
    showCam();
  } else if (message.type === 'trace') {
    trace = message.marks ? { title: message.title, marks: message.marks } : null;
    markTrace();
  } else if (message.type === 'problem') {
    canvas.replaceChildren(Object.assign(document.createElement('div'), { id: 'problem', textContent: message.message }));
    svg = null;
  }
});

async function draw(): Promise<void> {
  if (!snapshot) return;
  const seq = ++renderSeq;
  try {
    const text = await renderDiagramSvg(snapshot, { expanded: state.expanded });
    if (seq !== renderSeq) return; // a newer snapshot arrived meanwhile
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    if (doc.querySelector('parsererror')) throw new Error('the diagram is not well-formed SVG');
    const next = document.importNode(doc.documentElement, true) as unknown as SVGSVGElement;
    next.setAttribute('tabindex', '0');
    next.setAttribute('role', 'img');
    next.setAttribute('aria-label', 'Network diagram: bridges, veth pairs and network namespaces');
    next.removeAttribute('width');
    next.removeAttribute('height');
    const natural = next.getAttribute('viewBox');
    next.dataset.natural = natural ?? '';
    if (state.viewBox) next.setAttribute('viewBox', state.viewBox.join(' '));
    canvas.replaceChildren(next);
    svg = next;
    wire(next);
    fillNetworks();
    applyFilters();
    markTrace();
    showCam();
    status.textContent = `${snapshot.containers.filter((c) => c.pid !== null).length} running · ${snapshot.bridges.length} bridges`;
  } catch (error) {
    post({ type: 'error', message: (error as Error).message });
  }
}

function fillNetworks(): void {
  const names = ['', ...(snapshot?.networks.map((n) => n.name) ?? [])];
  const current = [...networkSelect.options].map((o) => o.value);
  if (current.join('\n') === names.join('\n')) return;
  networkSelect.replaceChildren(
    ...names.map((name) => {
      const option = document.createElement('option');
      option.value = name;
      option.textContent = name || 'All networks';
      return option;
    }),
  );
  networkSelect.value = names.includes(state.network) ? state.network : '';
}

function applyFilters(): void {
  if (!svg) return;
  const network = state.network;
  for (const el of svg.querySelectorAll<SVGElement>('[data-network], .netns, .veth, .bridge, path.edge')) {
    const nets = (el.getAttribute('data-network') ?? '').split(' ').filter(Boolean);
    el.classList.toggle('dimmed', !!network && !nets.includes(network) && !el.classList.contains('frame'));
  }
  const query = state.search.trim().toLowerCase();
  for (const box of svg.querySelectorAll<SVGGElement>('g.netns, g.hostContainers, g.bridge, g.group')) {
    const hay = [box.getAttribute('data-containers'), box.getAttribute('data-bridge'), box.getAttribute('data-netns'), box.textContent].join(' ').toLowerCase();
    box.classList.toggle('match', !!query && hay.includes(query));
  }
  for (const box of svg.querySelectorAll<SVGGElement>('g.netns')) box.classList.toggle('selected', box.getAttribute('data-netns') === state.selected);
}

/** A bridge's hover text gains its CAM table: MAC → port → owner, learned ones first. */
function showCam(): void {
  if (!svg) return;
  for (const g of svg.querySelectorAll<SVGGElement>('g.bridge')) {
    const title = g.querySelector(':scope > title');
    if (!title) continue;
    const base = title.getAttribute('data-base') ?? title.textContent ?? '';
    title.setAttribute('data-base', base);
    const lines = cam[g.getAttribute('data-bridge') ?? ''];
    title.textContent = lines?.length ? `${base}\nCAM table (${lines.length}):\n${lines.join('\n')}` : base;
  }
}

/** Marks what a traced path passes through: its containers' boxes, interfaces, veths, bridges and published ports, nodes and edges. */
function markTrace(): void {
  if (!svg) return;
  for (const el of svg.querySelectorAll('.traced')) el.classList.remove('traced');
  if (!trace) return;
  const attr = (name: string, value: string) => `[${name}="${CSS.escape(value)}"]`;
  for (const mark of trace.marks) {
    const selectors: string[] = [];
    if (mark.container)
      selectors.push(`g.netns[data-containers~="${CSS.escape(mark.container)}"]`, `g.group[data-containers~="${CSS.escape(mark.container)}"]`);
    if (mark.ifname && mark.container) selectors.push(`g.netns[data-containers~="${CSS.escape(mark.container)}"] ${attr('data-ifname', mark.ifname)}`);
    else if (mark.ifname) selectors.push(attr('data-ifname', mark.ifname));
    if (mark.bridge) selectors.push(`g.bridge${attr('data-bridge', mark.bridge)}`, `path.edge${attr('data-bridge', mark.bridge)}`);
    if (mark.port) selectors.push(attr('data-port', mark.port));
    for (const el of svg.querySelectorAll(selectors.join(', '))) el.classList.add('traced');
  }
  status.textContent = `${status.textContent?.replace(/ · traced: .*$/, '') ?? ''} · traced: ${trace.title}`;
}

function viewBox(): [number, number, number, number] {
  const vb = svg?.viewBox.baseVal;
  return vb ? [vb.x, vb.y, vb.width, vb.height] : [0, 0, 1, 1];
}

function setViewBox(vb: [number, number, number, number]): void {
  if (!svg) return;
  state.viewBox = vb;
  svg.setAttribute('viewBox', vb.join(' '));
  save();
}

function zoom(factor: number, cx?: number, cy?: number): void {
  const [x, y, w, h] = viewBox();
  const px = cx ?? x + w / 2;
  const py = cy ?? y + h / 2;
  setViewBox([px - (px - x) * factor, py - (py - y) * factor, w * factor, h * factor]);
}

function resetView(): void {
  if (!svg) return;
  state.viewBox = null;
  svg.setAttribute('viewBox', svg.dataset.natural ?? '0 0 100 100');
  save();
}

function toSvgPoint(clientX: number, clientY: number): [number, number] {
  const rect = (svg as SVGSVGElement).getBoundingClientRect();
  const [x, y, w, h] = viewBox();
  const scale = Math.max(w / rect.width, h / rect.height);
  return [x + (clientX - rect.left) * scale, y + (clientY - rect.top) * scale];
}

function wire(root: SVGSVGElement): void {
  let drag: { x: number; y: number; vb: [number, number, number, number] } | null = null;
  root.addEventListener('pointerdown', (e) => {
    // Labels and group boxes are for clicking, not for dragging the picture.
    if ((e.target as Element).closest('[data-container], g.group')) return;
    drag = { x: e.clientX, y: e.clientY, vb: viewBox() };
    root.classList.add('panning');
    root.setPointerCapture(e.pointerId);
  });
  root.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const rect = root.getBoundingClientRect();
    const scale = Math.max(drag.vb[2] / rect.width, drag.vb[3] / rect.height);
    setViewBox([drag.vb[0] - (e.clientX - drag.x) * scale, drag.vb[1] - (e.clientY - drag.y) * scale, drag.vb[2], drag.vb[3]]);
  });
  root.addEventListener('pointerup', () => {
    drag = null;
    root.classList.remove('panning');
  });
  root.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const [px, py] = toSvgPoint(e.clientX, e.clientY);
      zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15, px, py);
    },
    { passive: false },
  );
  root.addEventListener('click', (e) => {
    const group = (e.target as Element).closest('g.group');
    if (group) {
      void openGroup(group.getAttribute('data-group') as string);
      return;
    }
    const label = (e.target as Element).closest('[data-container]');
    const box = (e.target as Element).closest('g.netns');
    if (box) {
      state.selected = box.getAttribute('data-netns');
      save();
      applyFilters();
    }
    if (label) post({ type: 'reveal', container: label.getAttribute('data-container') as string });
  });
  root.addEventListener('keydown', (e) => {
    const target = e.target as Element;
    if (e.key === 'Enter' && target.matches('g.group')) {
      void openGroup(target.getAttribute('data-group') as string);
      return;
    }
    if (e.key === 'Enter' && target.hasAttribute('data-container')) {
      post({ type: 'reveal', container: target.getAttribute('data-container') as string });
      return;
    }
    const [x, y, w, h] = viewBox();
    const step = w / 10;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[e.key]) {
      e.preventDefault();
      setViewBox([x + (moves[e.key] as [number, number])[0], y + (moves[e.key] as [number, number])[1], w, h]);
    } else if (e.key === '+' || e.key === '=') zoom(1 / 1.2);
    else if (e.key === '-') zoom(1.2);
    else if (e.key === '0') resetView();
  });
}

/** Draws a bridge's crowd one by one (and remembers it); resolves once it is on screen. */
async function openGroup(bridge: string): Promise<void> {
  if (state.expanded.includes(bridge)) return;
  state.expanded = [...state.expanded, bridge];
  save();
  await draw();
}

/** The group box a container is drawn in, if its bridge's crowd is closed. */
function groupOf(name: string): string | null {
  const group = [...(svg?.querySelectorAll<SVGGElement>('g.group') ?? [])].find((g) => (g.getAttribute('data-containers') ?? '').split(' ').includes(name));
  return group?.getAttribute('data-group') ?? null;
}

function focusContainer(name: string): void {
  if (!svg) return;
  const closed = groupOf(name);
  if (closed) {
    void openGroup(closed).then(() => focusContainer(name));
    return;
  }
  const label = [...svg.querySelectorAll<SVGElement>('[data-container]')].find((el) => el.getAttribute('data-container') === name);
  const box = label?.closest('g.netns, g.hostContainers');
  if (!label || !box) return;
  const rect = box.querySelector('rect');
  if (rect) {
    const bx = Number(rect.getAttribute('x'));
    const by = Number(rect.getAttribute('y'));
    const [, , w, h] = viewBox();
    setViewBox([bx - w / 4, by - h / 4, w, h]);
  }
  state.selected = box.getAttribute('data-netns');
  save();
  applyFilters();
  (label as SVGElement & { focus(): void }).focus();
}

networkSelect.addEventListener('change', () => {
  state.network = networkSelect.value;
  save();
  applyFilters();
});
searchInput.value = state.search;
searchInput.addEventListener('input', () => {
  state.search = searchInput.value;
  save();
  // A search that names a container inside a closed group opens that group.
  const query = state.search.trim();
  const hit = query
    ? [...(svg?.querySelectorAll<SVGGElement>('g.group') ?? [])].find((g) => (g.getAttribute('data-containers') ?? '').split(' ').some((n) => n === query))
    : undefined;
  if (hit) void openGroup(hit.getAttribute('data-group') as string);
  else applyFilters();
});
document.getElementById('zoomIn')?.addEventListener('click', () => zoom(1 / 1.2));
document.getElementById('zoomOut')?.addEventListener('click', () => zoom(1.2));
document.getElementById('fit')?.addEventListener('click', resetView);
document.getElementById('export')?.addEventListener('click', () => {
  if (!snapshot) return;
  void renderDiagramSvg(snapshot, { standalone: true, expanded: state.expanded }).then((text) => post({ type: 'export', svg: text }));
});

post({ type: 'ready' });
