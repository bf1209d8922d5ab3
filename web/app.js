// The landing page's small console: connect to /ws, send JSON, show what comes back.
(() => {
  const $ = (id) => document.getElementById(id);
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  $('ws-url').textContent = wsUrl;
  fetch('/api/node').then((r) => r.json()).then((n) => { $('node-id').textContent = `${n.node} (troupe ${n.version})`; })
    .catch(() => { $('node-id').textContent = 'unknown'; });

  let socket = null;
  const log = (text, kind) => {
    const li = document.createElement('li');
    li.textContent = text;
    if (kind) li.className = kind;
    $('log').prepend(li);
  };
  const setConnected = (on) => {
    $('send').disabled = !on;
    $('connect').textContent = on ? 'Disconnect' : 'Connect';
    $('status').textContent = on ? `connected to ${wsUrl}` : 'disconnected';
  };

  $('connect').addEventListener('click', () => {
    if (socket) { socket.close(1000); return; }
    socket = new WebSocket(wsUrl);
    socket.addEventListener('open', () => setConnected(true));
    socket.addEventListener('message', (e) => log(e.data));
    socket.addEventListener('close', (e) => {
      log(`closed (${e.code}${e.reason ? ': ' + e.reason : ''})`, e.code === 1000 ? '' : 'err');
      socket = null;
      setConnected(false);
    });
  });
  $('examples').addEventListener('change', (e) => { $('message').value = e.target.value; });
  const send = () => {
    // Enter works while connecting or closing too, when the Send button is disabled.
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send($('message').value);
    log($('message').value, 'out');
  };
  $('send').addEventListener('click', send);
  $('message').addEventListener('keydown', (e) => { if (e.key === 'Enter') send(); });
})();
