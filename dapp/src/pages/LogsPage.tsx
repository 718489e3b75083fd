/**
 * @module LogsPage
 * Every service's log lines, live (`/admin/logs`): a tab per service, filters by level, text and
 * correlation id (a chat message id or a tx hash follows one bid from chat to frame), pause and resume,
 * each line opening to its JSON. The lines come from the operator API's stream (operator/src/logs),
 * which answers only a signed-in operator: without a session the page shows the sign-in prompt and
 * no line. The filters live in the address, so an error card links here with them filled in.
 */
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ConnectButton } from "../components/ConnectButton.tsx";
import { Link } from "../components/Link.tsx";
import { OperatorSignIn } from "../components/OperatorControls.tsx";
import { Card, Empty, Notice, Skeleton } from "../components/ui.tsx";
import { useWallet } from "../hooks/data.ts";
import { operatorSessionKey, useOperatorSession } from "../hooks/useOperatorSession.ts";
import { serviceUrl } from "../lib/config.ts";
import { addLines, filtersFromSearch, keyFields, type LogFilters, type LogLine, logsPath, maxLines, searchOf } from "../lib/logs.ts";
import { navigate, useSearch } from "../lib/router.ts";

const operator = (path: string) => serviceUrl("operator", path);

export function LogsPage() {
  const op = useOperatorSession();
  const wallet = useWallet();
  if (!op.available) return <Notice tone="info" words={{ title: "No operator API", action: "This server has no OPERATOR_URL: the logs are not served here." }} />;
  if (op.loading) return <Skeleton lines={6} />;
  if (!op.session)
    return (
      <section className="hero" data-testid="logs-sign-in">
        <p className="eyebrow">
          <Link to="/admin">Console</Link> / Logs
        </p>
        <h1>Sign in to read the services' logs.</h1>
        <p className="lede">The logs are for the auction team: sign in with a wallet holding a role on the AuctionHouse.</p>
        {wallet.address ? <OperatorSignIn /> : <ConnectButton />}
      </section>
    );
  return <LogsView />;
}

type StreamState = "connecting" | "live" | "reconnecting" | "closed";

function LogsView() {
  const filters = filtersFromSearch(useSearch());
  const key = searchOf(filters);
  const queryClient = useQueryClient();
  const services = useQuery({
    queryKey: ["log-services"],
    queryFn: async () => (await (await fetch(operator("/logs/services"))).json()) as { source: string; services: string[] },
    refetchInterval: 10_000,
  });
  const [lines, setLines] = useState<LogLine[]>([]);
  const [paused, setPaused] = useState(false);
  const [held, setHeld] = useState(0);
  const [dropped, setDropped] = useState(0);
  const [state, setState] = useState<StreamState>("connecting");
  const [open, setOpen] = useState<string | null>(null);
  const pausedRef = useRef(false);
  const pending = useRef<LogLine[]>([]);
  const heldLines = useRef<LogLine[]>([]);

  useEffect(() => {
    setLines([]);
    setDropped(0);
    setState("connecting");
    const params = new URLSearchParams(key);
    params.set("limit", "500");
    const source = new EventSource(operator(`/logs/stream?${params}`));
    let frame = 0;
    // Lines arrive in bursts (the backlog, a busy service): one render per animation frame, not per line.
    const flush = () => {
      frame = 0;
      const batch = pending.current.splice(0);
      if (pausedRef.current) {
        heldLines.current = addLines(heldLines.current, batch);
        setHeld(heldLines.current.length);
      } else setLines((l) => addLines(l, batch));
    };
    source.addEventListener("ready", () => {
      setLines([]);
      setState("live");
    });
    source.addEventListener("log", (e) => {
      pending.current.push(JSON.parse((e as MessageEvent).data) as LogLine);
      frame ||= requestAnimationFrame(flush);
    });
    source.addEventListener("dropped", (e) => setDropped((d) => d + (JSON.parse((e as MessageEvent).data) as { count: number }).count));
    source.onerror = () => {
      // A refused stream (the session expired or the role was revoked) is closed for good: ask again who we are.
      if (source.readyState === EventSource.CLOSED) {
        setState("closed");
        void queryClient.invalidateQueries({ queryKey: operatorSessionKey });
      } else setState("reconnecting");
    };
    return () => {
      source.close();
      cancelAnimationFrame(frame);
      pending.current = [];
    };
  }, [key, queryClient]);

  const setFilters = (next: Partial<LogFilters>) => navigate(logsPath({ ...filters, ...next }));
  const togglePause = () => {
    pausedRef.current = !paused;
    if (paused) {
      setLines((l) => addLines(l, [...heldLines.current].reverse()));
      heldLines.current = [];
      setHeld(0);
    }
    setPaused(!paused);
  };

  return (
    <>
      <header className="page-head">
        <p className="eyebrow">
          <Link to="/admin">Console</Link> / Logs
        </p>
        <h1>Service logs</h1>
        <p className="muted">
          Live from {services.data?.source === "loki" ? "Loki" : "the stack's log files"}. Secrets are redacted before any line leaves the operator API.
        </p>
      </header>
      <nav className="log-tabs" aria-label="Services">
        {["", ...(services.data?.services ?? [])].map((s) => (
          <button key={s || "all"} type="button" className="chip" aria-pressed={filters.service === s} onClick={() => setFilters({ service: s })}>
            {s || "All services"}
          </button>
        ))}
      </nav>
      <Card title="Filters">
        <FilterForm filters={filters} onApply={setFilters} />
      </Card>
      <Card title="Lines">
        <div className="log-status row">
          <span className={`pill ${state === "live" && !paused ? "pill-live" : "pill-ended"}`} data-testid="log-state">
            {state === "live" && !paused ? <span className="dot" aria-hidden="true" /> : null}
            {paused ? `Paused${held ? ` · ${held} new` : ""}` : state === "live" ? "Live" : state === "connecting" ? "Connecting…" : state === "reconnecting" ? "Reconnecting…" : "Stream closed"}
          </span>
          <button type="button" className="btn btn-ghost btn-small" onClick={togglePause}>
            {paused ? "Resume" : "Pause"}
          </button>
          <span className="muted small">
            {lines.length} line{lines.length === 1 ? "" : "s"} shown (newest first, at most {maxLines})
            {dropped ? ` · ${dropped} skipped while this page fell behind` : ""}
          </span>
        </div>
        {lines.length ? (
          <ol className="log-lines" data-testid="log-lines">
            {lines.map((l) => (
              <LogRow key={l.id} line={l} open={open === l.id} onToggle={() => setOpen(open === l.id ? null : l.id)} />
            ))}
          </ol>
        ) : (
          <Empty>{state === "live" ? "No line matches yet; new ones appear here as the services write them." : "Waiting for the stream…"}</Empty>
        )}
      </Card>
    </>
  );
}

function FilterForm({ filters, onApply }: { filters: LogFilters; onApply: (f: Partial<LogFilters>) => void }) {
  const [q, setQ] = useState(filters.q);
  const [correlation, setCorrelation] = useState(filters.correlation);
  useEffect(() => {
    setQ(filters.q);
    setCorrelation(filters.correlation);
  }, [filters.q, filters.correlation]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply({ q: q.trim(), correlation: correlation.trim() });
  };
  return (
    <form className="log-filters" onSubmit={submit}>
      <label className="field">
        <span className="label">Level (and above)</span>
        <select className="input" value={filters.level} onChange={(e) => onApply({ level: e.target.value as LogFilters["level"] })}>
          <option value="">All levels</option>
          <option value="debug">debug</option>
          <option value="info">info</option>
          <option value="warn">warn</option>
          <option value="error">error</option>
        </select>
      </label>
      <label className="field">
        <span className="label">Text</span>
        <input className="input" value={q} onChange={(e) => setQ(e.target.value)} placeholder="in the message or any field" />
      </label>
      <label className="field">
        <span className="label">Correlation id</span>
        <input className="input mono" value={correlation} onChange={(e) => setCorrelation(e.target.value)} placeholder="chat message id or tx hash" />
      </label>
      <div className="row log-filter-actions">
        <button type="submit" className="btn btn-primary btn-small">
          Apply
        </button>
        <button type="button" className="btn btn-ghost btn-small" onClick={() => onApply({ level: "", q: "", correlation: "" })}>
          Clear
        </button>
      </div>
    </form>
  );
}

function LogRow({ line, open, onToggle }: { line: LogLine; open: boolean; onToggle: () => void }) {
  const time = new Date(line.time);
  return (
    <li className={`log-line log-${line.level}`} data-testid="log-line">
      <button type="button" className="log-summary" aria-expanded={open} onClick={onToggle}>
        <time className="mono small muted" dateTime={time.toISOString()}>
          {time.toISOString().slice(11, 23)}
        </time>
        <span className="badge">{line.service}</span>
        <span className={`log-level log-level-${line.level}`}>{line.level}</span>
        <span className="log-msg">{line.msg || "(no message)"}</span>
        <span className="log-keys mono small muted">
          {keyFields(line).map(([k, v]) => (
            <span key={k}>
              {k}={v}
            </span>
          ))}
        </span>
      </button>
      {open ? <pre className="log-json mono small">{JSON.stringify({ time: time.toISOString(), level: line.level, service: line.service, msg: line.msg, ...line.fields }, null, 2)}</pre> : null}
    </li>
  );
}
