"""Write the section "labelhouse vs Label Studio" of bench/RESULTS.md (other sections are left untouched)."""

from __future__ import annotations

import collections
import statistics
from pathlib import Path
from typing import Any

from .workloads import Result

HEADING = "## labelhouse vs Label Studio"

# workload -> (label, target ratio)
TARGETS = {"import": ("1. import, 1,000 items/request", 5), "list": ("2. list all, page by page", 10),
           "label_seq": ("3. label write, sequential", 20), "label_conc": ("3. label write, 4 clients", 20),
           "get": ("4. get one item by id", 20), "export_json": ("5. export JSON (to file on disk)", 10),
           "export_coco": ("5. export COCO (to file on disk)", 10)}


def _key(workload: str) -> str:
    return "label_conc" if workload.startswith("label_conc") else workload


def _fmt_n(v: float) -> str:
    return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}" if v >= 10 else f"{v:,.2f}"


def aggregate(results: list[Result]) -> dict[tuple[str, int, str], dict[str, Any]]:
    groups: dict[tuple[str, int, str], list[Result]] = collections.defaultdict(list)
    for r in results:
        groups[(r.server, r.size, _key(r.workload))].append(r)
    out = {}
    for k, rs in groups.items():
        lat50 = [r.p50_ms for r in rs if r.p50_ms is not None]
        lat99 = [r.p99_ms for r in rs if r.p99_ms is not None]
        out[k] = {"runs": len(rs), "wall": statistics.median(r.wall_s for r in rs),
                  "tput": statistics.median(r.throughput for r in rs), "unit": rs[0].unit,
                  "p50": statistics.median(lat50) if lat50 else None,
                  "p99": statistics.median(lat99) if lat99 else None,
                  "rss": statistics.median(r.peak_rss_mb for r in rs), "capped": sum(r.capped for r in rs),
                  "done": statistics.median(r.done for r in rs), "target": rs[0].target,
                  "notes": sorted({r.note for r in rs if r.note}),
                  "cap": statistics.median(float(r.extra.get("cap_s", 0)) for r in rs)}
    return out


def ratio(lh: dict[str, Any], ls: dict[str, Any], workload: str) -> tuple[float, str]:
    """(ratio, display). Throughput ratio labelhouse / Label Studio; for reads the p50 latency ratio.
    A capped Label Studio export has throughput <= N / cap, so the ratio is a lower bound."""
    if workload == "get" and lh["p50"] and ls["p50"]:
        r = ls["p50"] / lh["p50"]
        return r, f"{r:,.1f}x"
    if ls["capped"] and workload.startswith("export"):
        bound = lh["tput"] / (ls["target"] / ls["cap"])
        return bound, f">= {bound:,.1f}x" + ("" if ls["capped"] == ls["runs"] else " (some runs capped)")
    if not ls["tput"]:
        return float("nan"), "n/a"
    r = lh["tput"] / ls["tput"]
    return r, f"{r:,.1f}x" + ("*" if ls["capped"] else "")


def _cell(a: dict[str, Any] | None, workload: str) -> str:
    if a is None:
        return "–"
    if a["capped"] and workload.startswith("export"):
        return f"did not finish in {a['cap']:.0f} s ({a['capped']}/{a['runs']} runs)"
    s = f"{a['wall']:.2f} s, {_fmt_n(a['tput'])} {a['unit']}/s"
    if a["p50"] is not None and workload not in ("export_json", "export_coco"):
        s += f", p50 {a['p50']:.1f} / p99 {a['p99']:.1f} ms"
    if a["capped"]:
        s += f" (capped: {a['done']:,.0f}/{a['target']:,} done in {a['capped']}/{a['runs']} runs)"
    return s


def render(meta: dict[str, Any], results: list[Result], profile: dict[str, Any] | None) -> str:
    args = meta["args"]
    agg = aggregate(results)
    sizes = sorted({r.size for r in results})
    m = meta["machine"]
    v = meta["versions"]
    lines = [HEADING, "",
             (f"Run {meta['started']} → {meta.get('finished', '?')} ({meta.get('total_s', 0) / 60:.1f} min) with "
             f"`.venv/bin/python bench/peer/run.py --sizes {args['sizes']} --runs {args['runs']}` "
             f"(see bench/README.md). Raw figures: `bench/.work/peer/results.json`."), "",
             (f"- **Versions:** labelhouse {v.get('labelhouse')} ({meta.get('labelhouse_source', '')}; `labelhouse serve`, uvicorn, 1 process, embedded "
             f"SQLite, in-process release jobs); Label Studio {v.get('label-studio', '–')} (`label-studio start`, "
             "its quick-start Django server, default SQLite)."),
             (f"- **Machine:** {m['cpu']}, {m['cores']} cores, {m['memory']} RAM, {m['os']}, Python {m['python']}; "
             f"load average at start {m['load_at_start']} (cores shared with other jobs)."),
             (f"- **N:** {', '.join(f'{s:,}' for s in sizes)} image items (URL + 3 metadata fields); "
             f"{args['runs']} runs per size, fresh project/dataset each run; **medians** shown. Workloads 3-4 "
             f"run on N={', '.join(f'{s:,}' for s in sizes if any(r.size == s and r.workload == 'get' for r in results))} "
             f"({args['label_items']:,} label writes per mode, {args['reads']:,} reads by random id)."),
             "- Server start-up (not measured in the workloads): "
             + ", ".join(f"{k} {s:.1f} s" for k, s in meta.get("startup_s", {}).items()) + ".",
             (f"- **Ratio** = labelhouse ÷ Label Studio throughput (items or requests per second), i.e. how many "
             "times faster labelhouse is; for reads it is the ratio of p50 latencies. Time caps, the same rule for "
             f"both servers: {float(args['cap']):.0f} s for list, label-write and read loops (a capped loop reports "
             f"the throughput of what finished, marked *), {float(args['import_cap']):.0f} s for the import, and "
             f"max({float(args['export_cap']):.0f} s, 12 x labelhouse's time for the same export in the same run) "
             "for an export (a capped export gives a lower bound, >=; Label Studio keeps building an abandoned "
             "export, so it is restarted on its data directory before the next workload). labelhouse runs first "
             "in every (run, N) so that its export times are known."), ""]
    for size in sizes:
        lines += [f"### N = {size:,}", "",
                  "| workload | labelhouse | Label Studio | ratio | target | met |",
                  "|---|---|---|---|---|---|"]
        for w, (label, target) in TARGETS.items():
            lh, ls = agg.get(("labelhouse", size, w)), agg.get(("label-studio", size, w))
            if lh is None and ls is None:
                continue
            if lh is not None and ls is not None:
                r, shown = ratio(lh, ls, w)
                met = "yes" if r >= target else "**no**"
            else:
                shown, met = "–", "–"
            lines.append(f"| {label} | {_cell(lh, w)} | {_cell(ls, w)} | {shown} | >= {target}x | {met} |")
        lines.append("")
        rss = {}
        for kind in ("labelhouse", "label-studio"):
            peaks = [a["rss"] for (k, s, _), a in agg.items() if k == kind and s == size]
            if peaks:
                rss[kind] = max(peaks)
        if rss:
            lines += ["Peak RSS of the server process tree (median over runs of each workload's peak, max over "
                      "workloads): " + ", ".join(f"{k} {v:,.0f} MB" for k, v in rss.items()) + ".", ""]
        lat = [(w, agg.get(("labelhouse", size, w)), agg.get(("label-studio", size, w)))
               for w in ("label_seq", "label_conc", "get")]
        if any(a and b for _, a, b in lat):
            lines += ["| latency | labelhouse p50 / p99 | Label Studio p50 / p99 |", "|---|---|---|"]
            for w, a, b in lat:
                if a and b:
                    lines.append(f"| {TARGETS[w][0]} | {a['p50']:.1f} / {a['p99']:.1f} ms | "
                                 f"{b['p50']:.1f} / {b['p99']:.1f} ms |")
            lines.append("")
        notes = sorted({n for (k, s, _), a in agg.items() if s == size for n in a["notes"]})
        if notes:
            lines += ["Notes: " + "; ".join(notes) + ".", ""]
    if "data_dir_mb" in meta:
        lines += ["Data directories at the end (all runs): " + ", ".join(
            f"{k} {v:,.0f} MB" for k, v in meta["data_dir_mb"].items()) + ".", ""]
    lines += ["### How each workload is done", "",
              ("- Same client code for both (bench/peer/clients.py): httpx, keep-alive, JSON bodies, one request "
              "per operation; the concurrent mode uses 4 threads with one connection each."),
              ("- **Import:** labelhouse `POST /datasets/{o}/{d}/samples_bulk/`; Label Studio "
              "`POST /api/projects/{id}/import` (JSON list of tasks, metadata in `data`)."),
              (f"- **List:** labelhouse `GET /datasets/{{o}}/{{d}}/samples/?per_page=1000` (its maximum); Label "
              f"Studio `GET /api/tasks?project=..&page_size={args['ls_page_size']}` — Label Studio sets no maximum "
              "page size, but its task list serialises every task with annotation/prediction aggregates and gets "
              "slower per item as pages grow (measured during development: 1,000/page ≈ 1,150 items/s, "
              "3,000/page ≈ 860 items/s), so 1,000 is the fair choice for it."),
              ("- **Label write:** labelhouse `PUT /labels/{uuid}/ground-truth/` (2 bbox annotations); Label Studio "
              "`POST /api/tasks/{id}/annotations/` (2 rectanglelabels results)."),
              "- **Get:** labelhouse `GET /samples/{uuid}/`; Label Studio `GET /api/tasks/{id}/`.",
              ("- **Export JSON:** labelhouse: create a release, poll it until SUCCEEDED, download its file. Label "
              "Studio: `GET /api/projects/{id}/export?exportType=JSON&download_all_tasks=true` (synchronous). "
              "Timed until the file is on disk; counts of items and boxes are checked afterwards (not timed)."),
              ("- **Export COCO:** labelhouse: a new release + the labelhouse SDK's COCO instance exporter "
              "(`labelhouse.export.coco.coco_instance`) run client-side on the downloaded file, written to disk. "
              "Label Studio: `exportType=COCO` (a zip with result.json), downloaded to disk."), ""]
    if profile:
        lines += [f"### Where labelhouse spends its time: {profile['workload']} at N={profile['size']:,}", "",
                  (f"py-spy (200 Hz, {profile['samples']:,} samples of non-idle threads) attached to the server "
                  "during an extra, unmeasured pass of one workload: the one whose ratio is furthest below (or closest to) "
                   "its target. "
                  f"Collapsed stacks: `{Path(profile['file']).name}` in bench/.work/peer/."), "",
                  (f"Reason for this choice: {profile.get('why', '')}. "
                   + (f"The server was busy {100 * profile['busy_share']:.0f}% of the workload's wall time, "
                      f"≈ {profile['busy_ms_per_op']:.2f} ms of server CPU per {profile['unit'].rstrip('s')} "
                      f"({profile['ops']:,} in {profile['wall_s']:.1f} s); the rest is client, network and the "
                      "other processes on the 2 shared cores." if "busy_share" in profile else "")), "",
                  "Named costs (inclusive, % of busy samples): " + "; ".join(
                      f"{k} {p:.0f}%" for k, p in profile.get("hot_spots", [])) + ".", "",
                  "By library (innermost non-stdlib frame): " + ", ".join(
                      f"{k} {p:.0f}%" for k, p in profile["areas"]) + ".", "",
                  "| labelhouse function (inclusive) | % of samples |", "|---|---|"]
        lines += [f"| `{k}` | {p:.1f} |" for k, p in profile["ours_inclusive"][:12]]
        lines += ["", "| leaf function (self) | % of samples |", "|---|---|"]
        lines += [f"| `{k}` | {p:.1f} |" for k, p in profile["leaf"][:12]]
        lines.append("")
    notes = Path(__file__).with_name("analysis.md")
    if notes.exists():
        lines += ["### Reading the figures (hand-written, bench/peer/analysis.md)", "", notes.read_text().strip(), ""]
    return "\n".join(lines) + "\n"


def write_report(path: Path, meta: dict[str, Any], results: list[Result], profile: dict[str, Any] | None) -> None:
    section = render(meta, results, profile)
    text = path.read_text() if path.exists() else "# Benchmark results\n\n"
    if HEADING in text:
        start = text.index(HEADING)
        nxt = text.find("\n## ", start + len(HEADING))
        text = text[:start] + section + (text[nxt + 1:] if nxt != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
