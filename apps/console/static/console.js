// Live security events: server-sent events from /events/stream (the console polls the IN-CSE's
// audit log and its live sessions). Confirmation for destructive forms.
document.addEventListener('DOMContentLoaded', () => {
  for (const f of document.querySelectorAll('form[data-confirm]')) {
    f.addEventListener('submit', (e) => {
      if (!window.confirm(f.dataset.confirm)) e.preventDefault();
    });
  }
  const list = document.getElementById('events');
  const live = document.getElementById('live-sessions');
  if (!list) return;
  const es = new EventSource('/events/stream');
  es.addEventListener('security', (e) => {
    const ev = JSON.parse(e.data);
    const li = document.createElement('li');
    li.textContent = `${ev.at} ${ev.kind} ${ev.channel ?? ''} ${ev.originator ?? ''} ${ev.to ?? ''} ${ev.rsc ?? ''} ${ev.reason ?? ''}`;
    list.prepend(li);
  });
  es.addEventListener('sessions', (e) => {
    const sessions = JSON.parse(e.data);
    live.textContent = '';
    for (const s of sessions) {
      const li = document.createElement('li');
      li.textContent = `${s.framework} ${s.credentialId} ${s.boundIds.join(',')} ${s.peerAddress}`;
      li.className = 'session';
      live.append(li);
    }
    live.dataset.count = String(sessions.length);
  });
});
