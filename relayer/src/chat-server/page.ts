/**
 * @module chat-server/page
 * The local chat's web page: pick or add a user, type as them, see every message (bot replies too),
 * ban or delete from the list. Plain HTML + fetch polling of `/api/events`; no build step.
 */
export function chatPage(channel: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>#${channel} · local chat</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:0;display:flex;flex-direction:column;height:100vh;background:#18181b;color:#efeff1}
header{padding:8px 12px;background:#0e0e10;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
#log{flex:1;overflow-y:auto;padding:8px 12px}
.m{padding:2px 0}.n{font-weight:600}.bot .n{color:#bf94ff}.sys{color:#adadb8;font-style:italic}
.x{margin-left:6px;font-size:11px;color:#adadb8;cursor:pointer;visibility:hidden}.m:hover .x{visibility:visible}
form{display:flex;gap:8px;padding:8px 12px;background:#0e0e10}
input,select,button{font:inherit;padding:6px;border-radius:4px;border:1px solid #444;background:#26262c;color:#efeff1}
#text{flex:1}
</style></head><body>
<header><b>#${channel}</b> chat as
<select id="user"></select>
<input id="newName" placeholder="new user name" size="12"><button id="add" type="button">add user</button>
<label><input type="checkbox" id="mod"> mod</label></header>
<div id="log"></div>
<form id="f"><input id="text" autocomplete="off" placeholder="!link CODE, !bid 0.5, !lot, !help"><button>send</button></form>
<script>
const channel = ${JSON.stringify(channel)};
const users = JSON.parse(localStorage.getItem("chatUsers") || "null") || [{userId:"1001",displayName:"alice"},{userId:"1002",displayName:"bob"},{userId:"1003",displayName:"carol"}];
const sel = document.getElementById("user"), log = document.getElementById("log");
function renderUsers(){ sel.innerHTML = users.map((u,i)=>'<option value="'+i+'">'+u.displayName+' ('+u.userId+')</option>').join(""); localStorage.setItem("chatUsers", JSON.stringify(users)); }
renderUsers();
document.getElementById("add").onclick = () => { const n = document.getElementById("newName").value.trim(); if(!n) return; users.push({userId:String(2000+users.length), displayName:n}); renderUsers(); sel.value = users.length-1; };
const post = (path, body) => fetch(path, {method:"POST", headers:{"content-type":"application/json"}, body: JSON.stringify(body)});
document.getElementById("f").onsubmit = async (e) => { e.preventDefault(); const t = document.getElementById("text"); if(!t.value) return; const u = users[sel.value]; await post("/api/say", {channel, userId:u.userId, displayName:u.displayName, text:t.value, mod:document.getElementById("mod").checked}); t.value=""; };
let since = 0; const seen = new Set();
const esc = (s) => s.replace(/[&<>"]/g, (c) => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]));
async function poll(){
  try {
    const r = await (await fetch("/api/events?channel="+channel+"&since="+since)).json();
    for (const e of r.events) {
      const key = e.type+(e.id||"")+(e.at||e.sentAt); if (seen.has(key)) continue; seen.add(key);
      since = Math.max(since, (e.sentAt||e.at) - 1);
      const d = document.createElement("div");
      if (e.type === "message") { d.className = "m"+(e.bot?" bot":""); d.id = "m-"+e.id;
        d.innerHTML = '<span class="n">'+esc(e.displayName)+'</span>: '+esc(e.text)+(e.bot?'':'<span class="x" data-id="'+e.id+'">delete</span><span class="x" data-ban="'+e.userId+'">timeout</span>'); }
      else if (e.type === "clearchat") { d.className = "sys"; d.textContent = e.login+" was "+(e.duration?"timed out for "+e.duration+" s":"banned"); }
      else { d.className = "sys"; d.textContent = "a message was deleted"; const m = document.getElementById("m-"+e.id); if (m) m.style.textDecoration = "line-through"; }
      log.appendChild(d); log.scrollTop = log.scrollHeight;
    }
  } catch {}
  setTimeout(poll, 400);
}
log.onclick = (e) => { const t = e.target; if (t.dataset.id) post("/api/delete", {channel, id:t.dataset.id}); if (t.dataset.ban) post("/api/ban", {channel, userId:t.dataset.ban, duration:600}); };
poll();
</script></body></html>`;
}
