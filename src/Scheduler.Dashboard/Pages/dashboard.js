// The scheduler dashboard: each page polls the JSON API (/api/…) and renders a table. No build step, no library.
"use strict";
(function () {
  const pollMs = 1000;
  const page = document.body.dataset.page;

  const nav = document.querySelector("nav");
  for (const [href, name, id] of [["agents.html", "Agents", "agents"], ["tasks.html", "Tasks", "tasks"],
    ["history.html", "History", "history"], ["master.html", "Master", "master"]]) {
    const a = document.createElement("a");
    a.href = href; a.textContent = name;
    if (id === page) a.className = "here";
    nav.appendChild(a);
  }

  function showError(message) { document.getElementById("error").textContent = message || ""; }

  async function api(path, options) {
    const response = await fetch(path, options);
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new Error(body && body.message ? body.message : `${path}: HTTP ${response.status}`);
    return { body, response };
  }

  function time(value) { return value ? new Date(value).toLocaleString() : "-"; }

  function duration(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 120) return `${s}s`;
    const m = Math.floor(s / 60);
    if (m < 120) return `${m}m ${s % 60}s`;
    return `${Math.floor(m / 60)}h ${m % 60}m`;
  }

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function taskLink(row, id) {
    const td = row.insertCell();
    const a = document.createElement("a");
    a.href = "task.html?id=" + encodeURIComponent(id);
    a.textContent = id;
    td.appendChild(a);
  }

  function fill(tableId, items, render) {
    const body = document.querySelector(`#${tableId} tbody`);
    body.replaceChildren();
    for (const item of items) render(body.insertRow(), item);
  }

  function every(ms, work) {
    const run = async () => {
      try { await work(); } catch (e) { showError(e.message); }
      setTimeout(run, ms);
    };
    run();
  }

  // Agents: state, last contact, countdown to the reconnect window while unreachable, replay progress.
  let agents = [];
  function renderAgents() {
    const now = Date.now();
    fill("agents", agents, (row, a) => {
      row.dataset.agent = a.name;
      cell(row, a.name);
      cell(row, a.state, "state " + a.state);
      cell(row, a.lastSeen ? `${time(a.lastSeen)} (${duration(now - Date.parse(a.lastSeen))} ago)` : "-");
      let window = "-";
      if (a.state === "Unreachable" && a.windowEndsAt) {
        const left = Date.parse(a.windowEndsAt) - now;
        window = left > 0 ? `kills its tasks in ${duration(left)}` : "window over: its tasks are killed";
      } else if (a.state === "Unreachable") {
        window = "infinite: tasks run on";
      }
      cell(row, window, "countdown");
      cell(row, (a.labels || []).join(", "));
      cell(row, String(a.runningTasks), "running");
      const end = a.journalEnd ?? a.adoptedOffset;
      cell(row, a.adoptedOffset == null ? "-" : `${a.adoptedOffset} / ${end}` + (end > a.adoptedOffset ? " (replaying)" : ""), "journal");
    });
  }

  const pages = {
    agents() {
      every(pollMs, async () => { agents = (await api("/api/agents")).body; showError(); renderAgents(); });
      setInterval(renderAgents, 1000);
    },

    tasks() {
      every(pollMs, async () => {
        const tasks = (await api("/api/tasks")).body;
        showError();
        const now = Date.now();
        fill("tasks", tasks, (row, t) => {
          row.dataset.task = t.taskId;
          taskLink(row, t.taskId);
          cell(row, t.state, "state " + t.state);
          cell(row, t.agent);
          cell(row, duration(now - Date.parse(t.startedAt || t.submittedAt)));
          cell(row, (t.command || []).join(" "));
        });
      });
    },

    history() {
      const form = document.getElementById("filters");
      const older = document.getElementById("older");
      let current = null;
      let next = null;
      function query() {
        const q = new URLSearchParams();
        for (const name of ["agent", "job", "task", "state", "limit"]) {
          const v = form.elements[name].value.trim();
          if (v) q.set(name, v);
        }
        for (const name of ["since", "until"]) {
          const v = form.elements[name].value;
          if (v) q.set(name, new Date(v).toISOString());
        }
        return "/api/history?" + q.toString();
      }
      async function show(path) {
        try {
          const { body, response } = await api(path);
          showError();
          current = path;
          next = response.headers.get("X-Next-Page");
          older.disabled = !next;
          fill("history", body, (row, t) => {
            row.dataset.task = t.taskId;
            taskLink(row, t.taskId);
            cell(row, t.state, "state " + t.state);
            cell(row, t.agent);
            cell(row, t.exitCode == null ? "-" : String(t.exitCode));
            cell(row, time(t.submittedAt));
            cell(row, time(t.startedAt));
            cell(row, time(t.endedAt));
            cell(row, t.reason || "");
          });
        } catch (e) { showError(e.message); }
      }
      form.addEventListener("submit", e => { e.preventDefault(); show(query()); });
      document.getElementById("newest").addEventListener("click", () => show(query()));
      older.addEventListener("click", () => { if (next) show(next); });
      show(query());
      // The first page follows new tasks; older pages stay as they were asked.
      setInterval(() => { if (current === query()) show(current); }, 2000);
    },

    task() {
      const id = new URLSearchParams(location.search).get("id") || "";
      document.getElementById("task-id").textContent = id;
      const path = "/api/task/" + encodeURIComponent(id);
      let offset = 0;
      let logDone = false;
      every(pollMs, async () => {
        const t = (await api(path)).body;
        showError();
        const details = document.getElementById("task");
        details.replaceChildren();
        for (const [name, value, cls] of [["state", t.state, "state " + t.state], ["agent", t.agent], ["command", (t.command || []).join(" ")],
          ["exit code", t.exitCode == null ? "-" : String(t.exitCode)], ["submitted", time(t.submittedAt)], ["started", time(t.startedAt)],
          ["ended", time(t.endedAt)], ["reason", t.reason || "-"], ...(t.logNote ? [["log", t.logNote, "log-note"]] : [])]) {
          const dt = document.createElement("dt"); dt.textContent = name;
          const dd = document.createElement("dd"); dd.textContent = value; if (cls) dd.className = cls;
          details.append(dt, dd);
        }
        if (logDone) return;
        const log = document.getElementById("log");
        // Whole lines from where the last poll ended, until the Master says the log is complete.
        for (;;) {
          const p = (await api(`${path}/log?offset=${offset}`)).body;
          for (const line of p.lines) {
            const div = document.createElement("div");
            div.className = line.stream;
            div.textContent = line.text;
            log.appendChild(div);
          }
          const moved = p.nextOffset !== offset;
          offset = p.nextOffset;
          if (p.complete) { logDone = true; break; }
          if (!moved) break;
        }
        // A Lost task's agent is gone: its log may never be copied whole (it still may, if the agent comes back).
        document.getElementById("log-state").textContent = logDone ? "(complete)"
          : t.state === "Lost" ? "(its agent is lost: the rest of the log may never come)" : "(following live output)";
        log.scrollTop = log.scrollHeight;
      });
    },

    master() {
      async function load() {
        const s = (await api("/api/status")).body;
        showError();
        const db = s.database;
        const rows = [
          ["scheduler node", s.node],
          ["master run", s.runId ? `${s.runId} (epoch ${s.epoch})` : "-"],
          ["state", s.paused == null ? "unknown" : (s.paused ? "paused" : "running"), s.paused ? "paused" : "running"],
          ["journal", s.journalKind],
          ["database", db.summary],
          ["unavailable since", db.available ? "-" : time(db.unavailableSince)],
          ["next attempt", db.available ? "-" : time(db.nextAttemptAt)],
          ["agents", s.agents ? `${s.agents.connected} connected, ${s.agents.unreachable} unreachable, ${s.agents.lost} lost` : "unknown"],
          ["unfinished tasks", s.unfinishedTasks == null ? "unknown" : String(s.unfinishedTasks)],
        ];
        const list = document.getElementById("status");
        list.replaceChildren();
        for (const [name, value, cls] of rows) {
          const dt = document.createElement("dt"); dt.textContent = name;
          const dd = document.createElement("dd"); dd.textContent = value; dd.id = "status-" + name.replace(/ /g, "-"); if (cls) dd.className = cls;
          list.append(dt, dd);
        }
      }
      for (const action of ["pause", "resume"]) {
        document.getElementById(action).addEventListener("click", async () => {
          try { await api("/api/" + action, { method: "POST", headers: { "X-Scheduler-Action": "1" } }); await load(); } catch (e) { showError(e.message); }
        });
      }
      every(2000, load);
    },
  };

  pages[page]();
})();
