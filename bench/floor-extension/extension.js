// The floor of the workbench benchmark: a tree of containers that costs the
// engine one list call per container event and nothing else. Whatever this
// takes is what the workbench and the engine cost; the rest is ours.
'use strict';
const http = require('node:http');
const vscode = require('vscode');

const socketPath = (process.env.DOCKER_HOST || 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');

function getJson(path) {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', reject);
  });
}

function activate(context) {
  const changed = new vscode.EventEmitter();
  let containers = [];
  const collator = new Intl.Collator(undefined, { numeric: true });
  const list = async () => {
    const all = await getJson('/containers/json?all=1');
    containers = all
      .map((c) => ({ id: c.Id, name: (c.Names[0] || c.Id).replace(/^\//, ''), state: c.State, image: c.Image }))
      .sort((a, b) => collator.compare(a.name, b.name));
    changed.fire();
  };
  const provider = {
    onDidChangeTreeData: changed.event,
    getChildren: (el) => (el ? [] : containers),
    getTreeItem: (c) => {
      const item = new vscode.TreeItem(c.name);
      item.id = c.id;
      item.description = `${c.state} ${c.image}`;
      return item;
    },
  };
  context.subscriptions.push(vscode.window.createTreeView('benchFloor.containers', { treeDataProvider: provider }), changed);
  void list().catch(() => undefined);
  const filters = encodeURIComponent(JSON.stringify({ type: ['container'] }));
  const req = http.get({ socketPath, path: `/events?filters=${filters}` }, (res) => {
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) if (line.trim()) void list().catch(() => undefined);
    });
  });
  req.on('error', () => undefined);
  context.subscriptions.push({ dispose: () => req.destroy() });
}

module.exports = { activate, deactivate() {} };
