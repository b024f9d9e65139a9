"""Browser checks of the HTML report for t_html.sh, through cdp.py:

    html_browser.py CHROMIUM MODE PAGE.html [SHOT.png]

MODE is
  flame   click a flame graph frame and check the zoom, then reset it
  memory  a 1.1 report with memory, copies, timeline and a leak
  nocopy  a 1.1 report with memory.copy false
  noleaks a 1.1 report whose leaks[] is empty
  v10     a 1.0 report: no memory parts at all
  honest  at 1280x800: the cards read the report's CPU and overhead
          figures, the hottest line is in the first 800 px, rough
          percentages are marked, the flame graphs' colours are the
          legend's, the allocation flame graph renders, search highlights
Prints "key value" lines for the shell to check, "messages N" (console
messages, exceptions, CSP and other log entries) and each message as a
"# " line. With SHOT, saves a screenshot (whole page for memory).
"""
import asyncio
import json
import signal
import sys

from cdp import Browser

# Facts about the rendered page, as one object.
FACTS = r"""(function () {
  function txt(sel) { var e = document.querySelector(sel); return e ? e.textContent : ''; }
  function heads(sel) { return [].map.call(document.querySelectorAll(sel + ' th'), function (t) { return t.textContent.trim(); }); }
  var tl = document.getElementById('timeline-svg');
  return {
    parts: document.body.getAttribute('data-parts'),
    nav: txt('header nav'),
    top_heads: heads('#top-lines thead'),
    file_heads: heads('#files-l .fbody thead'),
    fn_heads: heads('#functions-t thead'),
    handler_heads: heads('#handlers-t thead'),
    worker_heads: heads('#workers-t thead'),
    summary: txt('#summary'),
    has_memory: !!document.getElementById('memory'),
    has_leaks: !!document.getElementById('leaks'),
    leaks_text: txt('#leaks'),
    leak_rows: document.querySelectorAll('#leaks-table tbody tr').length,
    has_timeline: !!tl,
    tl_cpu: tl ? tl.querySelectorAll('polyline.cpu').length : 0,
    tl_rss: tl ? tl.querySelectorAll('polyline.rss').length : 0,
    tl_heap: tl ? tl.querySelectorAll('polyline.heap').length : 0,
    tl_points: tl && tl.querySelector('polyline.cpu') ? tl.querySelector('polyline.cpu').getAttribute('points').split(' ').length : 0,
    tl_ticks: tl ? tl.querySelectorAll('text.yt, text.xt').length : 0,
    tl_width: tl ? tl.getBoundingClientRect().width : 0,
    legend: txt('.tl-legend'),
    sparks: document.querySelectorAll('svg.spark').length,
    mem_bars: document.querySelectorAll('.mbar i.alloc').length,
    copy_bars: document.querySelectorAll('.mbar i.copy').length,
    viewport: window.innerWidth
  };
})()"""


def say(key, value):
    print(key, value)


def has_all(have, want):
    return all(w in have for w in want)


async def flame(b, shot):
    if shot:
        await b.screenshot(shot)
    pick = await b.js(r"""(function () {
      var svg = document.getElementById('flame-svg'), W = svg.viewBox.baseVal.width;
      var gs = [].slice.call(svg.querySelectorAll('g[data-i]'));
      var c = gs.map(function (g) {
        return { i: g.getAttribute('data-i'), w: +g.querySelector('rect').getAttribute('width'),
                 name: g.querySelector('title').textContent.replace(/: [0-9,]+ samples.*$/, '') };
      }).filter(function (x) { return x.w < 0.9 * W && x.w > 0.02 * W; })
        .sort(function (a, b) { return b.w - a.w; })[0];
      return { W: W, n: gs.length, pick: c || null };
    })()""")
    say("flame_nodes_before", pick["n"])
    c = pick["pick"]
    say("flame_candidate", c is not None)
    if not c:
        return
    say("flame_clicked", c["name"].replace(" ", "_"))
    sel = '#flame-svg g[data-i="%s"] rect' % c["i"]
    await b.click_selector(sel)
    after = await b.js(r"""(function (i) {
      var svg = document.getElementById('flame-svg'), g = svg.querySelector('g[data-i="' + i + '"]');
      return { w: g ? +g.querySelector('rect').getAttribute('width') : -1, x: g ? +g.querySelector('rect').getAttribute('x') : -1,
               n: svg.querySelectorAll('g[data-i]').length, label: document.getElementById('flame-zoom').textContent };
    })(%s)""" % json.dumps(c["i"]))
    say("flame_width_before", "%.2f" % c["w"])
    say("flame_width_after", "%.2f" % after["w"])
    say("flame_zoom_full_width", abs(after["w"] - pick["W"]) < 0.01 and abs(after["x"]) < 0.01)
    say("flame_zoom_label", c["name"] in after["label"])
    say("flame_nodes_after", after["n"])
    await b.click_selector("#flame-reset")
    reset = await b.js("""(function (i) {
      var g = document.querySelector('#flame-svg g[data-i="' + i + '"] rect');
      return { w: g ? +g.getAttribute('width') : -1, label: document.getElementById('flame-zoom').textContent };
    })(%s)""" % json.dumps(c["i"]))
    say("flame_reset", abs(reset["w"] - c["w"]) < 0.01 and reset["label"] == "")


async def memory(b, shot):
    f = await b.js(FACTS)
    cols = ["alloc MB", "net MB", "peak MB", "copy MB/s"]
    say("parts", f["parts"].replace(" ", ","))
    say("top_mem_cols", has_all(f["top_heads"], cols))
    say("file_mem_cols", has_all(f["file_heads"], cols + ["heap over time"]))
    say("fn_mem_cols", has_all(f["fn_heads"], ["alloc MB", "net MB", "copy MB"]))
    say("handler_alloc_cols", has_all(f["handler_heads"], ["alloc bytes/call", "alloc MB"]))
    say("worker_mem_cols", has_all(f["worker_heads"], ["RSS MB", "heap MB"]))
    say("cards", all(w in f["summary"] for w in (
        "Allocated", "48.0 MB", "freed 40.5 MB, net 7.5 MB", "4.80 MB/s", "Sampled heap", "9.3 MB",
        "30.0 MB", "library-call copies", "1 per 512 KiB", "malloc hooks on", "copy sampling on")))
    say("mem_bars", f["mem_bars"])
    say("copy_bars", f["copy_bars"])
    say("sparks", f["sparks"])
    say("timeline", f["has_timeline"] and f["tl_cpu"] == 2 and f["tl_rss"] == 2 and f["tl_heap"] == 2)
    say("timeline_points", f["tl_points"])
    say("timeline_ticks", f["tl_ticks"])
    say("timeline_legend", "worker slot 0" in f["legend"] and "pid 4243" in f["legend"] and "sampled heap" in f["legend"])
    say("timeline_fits", 0 < f["tl_width"] <= f["viewport"])
    say("leak_rows", f["leak_rows"])
    say("leak_named", "mem.c:12" in f["leaks_text"] and "0.969" in f["leaks_text"])
    # Hover the chart: the tip reads every worker at the nearest point.
    box = await b.js("""(function () { var s = document.getElementById('timeline-svg'); s.scrollIntoView({block: 'center'});
      var r = s.getBoundingClientRect(); return [r.left + r.width / 2, r.top + 100]; })()""")
    await b.send("Input.dispatchMouseEvent", type="mouseMoved", x=box[0], y=box[1])
    await asyncio.sleep(0.2)
    tip = await b.js("(function () { var t = document.querySelector('.tl-tip'); return t && !t.hidden ? t.textContent : ''; })()")
    say("timeline_hover", "t = " in tip and "slot 1" in tip)
    # The leak's link opens mem.c at line 12, marked as a leak, in view.
    await b.click_selector('#leaks-table a[data-goto]')
    row = await b.js(r"""(function () {
      var r = document.querySelector('tr.leak');
      if (!r) return null;
      var b = r.getBoundingClientRect();
      return { id: r.id, mark: !!r.querySelector('.leakmark'), src: (r.querySelector('td.src') || {}).textContent || '',
               visible: b.top >= 0 && b.bottom <= window.innerHeight };
    })()""")
    say("leak_jump", bool(row) and row["mark"] and row["visible"] and "malloc(sizeof *n)" in row["src"])
    marked = await b.js("document.querySelectorAll('#files-l tr.leak').length")
    say("leak_marked_rows", marked)
    if shot:
        await b.js("window.scrollTo(0, 0)")
        await b.screenshot(shot, full=True)


async def nocopy(b, shot):
    f = await b.js(FACTS)
    say("parts", f["parts"].replace(" ", ","))
    say("alloc_col", "alloc MB" in f["top_heads"] and "alloc MB" in f["file_heads"])
    say("no_copy_col", not any("copy" in h for h in f["top_heads"] + f["file_heads"] + f["fn_heads"]))
    say("no_copy_card", "Copies" not in f["summary"] and "copy sampling off" in f["summary"])
    say("copy_bars", f["copy_bars"])


async def noleaks(b, shot):
    f = await b.js(FACTS)
    say("leaks_section", f["has_leaks"])
    say("no_leaks_flagged", "no leaks flagged" in f["leaks_text"] and f["leak_rows"] == 0)
    marked = await b.js("document.querySelectorAll('tr.leak, .leakmark').length")
    say("leak_marks", marked)


async def v10(b, shot):
    f = await b.js(FACTS)
    say("parts", f["parts"])
    say("no_memory_parts", not (f["has_memory"] or f["has_leaks"] or f["has_timeline"]))
    say("no_mem_cols", not any("MB" in h for h in f["top_heads"] + f["file_heads"] + f["fn_heads"] +
                                    f["handler_heads"] + f["worker_heads"]))
    say("no_mem_cards", "Allocated" not in f["summary"] and "memory" not in f["nav"])
    say("cpu_cols", has_all(f["top_heads"], ["cpu %", "own %", "native %", "system %"]))


# The page's own report, and facts about its cards, hottest row and flame
# graphs' frames (name, fill) for honest().
HONEST = r"""(function () {
  var doc = JSON.parse(document.getElementById('hl-report').textContent);
  function card(k) {
    var c = [].filter.call(document.querySelectorAll('#summary .card'), function (c) {
      return c.querySelector('.k').textContent.toLowerCase() === k; })[0];
    return c ? c.textContent : '';
  }
  function frames(id) {
    return [].map.call(document.querySelectorAll('#' + id + '-svg g[data-i]'), function (g) {
      return [g.querySelector('title').textContent.replace(/: .*$/, ''), g.querySelector('rect').getAttribute('fill'), +g.getAttribute('data-i')];
    });
  }
  var row = document.querySelector('#top-lines tbody tr');
  return {
    doc: doc, cpu_card: card('cpu'), overhead_card: card('overhead'), filters: (document.querySelector('.filters') || {}).textContent || '',
    hot_bottom: row ? row.getBoundingClientRect().bottom : 1e9, hot_cell: row ? row.querySelector('td.cpu').textContent : '',
    hot_title: row && row.querySelector('.rough') ? row.querySelector('.rough').getAttribute('title') : '',
    legend: (document.querySelector('.flegend') || {}).textContent || '',
    flame: frames('flame'), aflame: frames('aflame'), viewport: [window.innerWidth, window.innerHeight]
  };
})()"""


def hue_ok(name, fill, i, own):
    """The legend's colouring: root grey, own code warm, the rest blue-grey."""
    if i == 0:
        return fill == "#c9c9c9"
    if not fill.startswith("hsl("):
        return False
    h = int(fill[4:].split(",")[0])
    return 10 <= h < 45 if name in own else 195 <= h < 235


def stack_share(stacks, key, word):
    """Share (%) of the weight of stacks with a frame containing word."""
    total = sum(s[key] for s in stacks)
    hit = sum(s[key] for s in stacks if any(word.lower() in f.lower() for f in s["stack"].split(";")))
    return 100.0 * hit / total if total else 0


async def search(b, gid, word):
    """Type word in a flame graph's search box: matched frames, the label."""
    return await b.js("""(function (id, w) {
      var q = document.getElementById(id + '-q'); q.value = w;
      q.dispatchEvent(new Event('input', { bubbles: true }));
      return { n: document.querySelectorAll('#' + id + '-svg g.match').length,
               magenta: document.querySelectorAll('#' + id + '-svg rect[fill="#d633d6"]').length,
               label: document.getElementById(id + '-match').textContent };
    })(%s, %s)""" % (json.dumps(gid), json.dumps(word)))


async def honest(b, shot):
    if shot:
        await b.screenshot(shot)
    f = await b.js(HONEST)
    d, o = f["doc"], f["doc"]["overhead"]
    c, p = d["cpu"], o["parts_pct"]
    say("viewport", "%dx%d" % tuple(f["viewport"]))
    say("cpu_card", ("%.2f s" % c["seconds"]) in f["cpu_card"] and ("%.1f%% of %d worker core" % (c["share_pct"], c["cores"])) in f["cpu_card"]
        and "100.00%" not in f["cpu_card"].split("own")[0])
    say("overhead_card", all(("%.2f%%" % v) in f["overhead_card"] for v in (o["overhead_pct"], p["sampler"], p["memory_hooks"], p["copy_hooks"])))
    say("filters", "Built with:" in f["filters"] and ("reduced profile (" in f["filters"]) == d["filters"]["reduced_profile"])
    say("hot_bottom", int(f["hot_bottom"]))
    say("hot_visible", f["hot_bottom"] <= 800)
    lines = [l for x in d["files"] for l in x["lines"]]
    hot = max(lines, key=lambda l: l["cpu_pct"])
    rough = max(hot["cpu_pct"] - hot["pct_lo"], hot["pct_hi"] - hot["cpu_pct"]) > d["intervals"]["rough_pp"]
    say("hot_rough", rough)
    say("hot_marked", f["hot_cell"].startswith("\u2248") == rough and (not rough or ("%.2f" % hot["pct_lo"]) in f["hot_title"]))
    own = set(fn["function"] for fn in d["functions"])
    say("legend", "hotline or module code" in f["legend"] and "search match" in f["legend"])
    say("colours_as_legend", bool(f["flame"]) and all(hue_ok(n, fill, i, own) for n, fill, i in f["flame"] + f["aflame"]))
    # Search the hottest line's function in the CPU graph (an own
    # function's name is a plain word, not a regular expression).
    await searched(b, "flame", d["stacks"], "samples", hot["function"])
    say("alloc_stacks", len(d.get("alloc_stacks", [])))
    if d.get("alloc_stacks"):
        await alloc(b, None, f)


async def searched(b, gid, stacks, key, word):
    """Search word in a flame graph: frames turn magenta and the label says
    the share of the stacks with such a frame."""
    r = await search(b, gid, word)
    want = "matched %.2f%%" % stack_share(stacks, key, word)
    say(gid + "_search_word", word)
    say(gid + "_search", r["n"] > 0 and r["magenta"] == r["n"] and r["label"].startswith(want))
    if r["label"] and not r["label"].startswith(want):
        print("# %s: %r, want %r" % (gid, r["label"], want))


async def alloc(b, shot, f=None):
    """The allocation flame graph: frames drawn, and a search for the own
    function nearest the leaf of the heaviest allocation's stack."""
    f = f or await b.js(HONEST)
    d = f["doc"]
    own = set(fn["function"] for fn in d["functions"])
    say("alloc_nodes", len(f["aflame"]))
    stacks = d.get("alloc_stacks", [])
    words = [fr for fr in stacks[0]["stack"].split(";") if fr in own] if stacks else []
    if words:
        await searched(b, "aflame", stacks, "bytes", words[-1])


async def main():
    chromium, mode, page = sys.argv[1:4]
    shot = sys.argv[4] if len(sys.argv) > 4 else None
    size = (1280, 800) if mode == "honest" else (1400, 1000)
    async with Browser(chromium, *size) as b:
        await b.open("file://" + page)
        await globals()[mode](b, shot)
        await asyncio.sleep(0.2)
        say("messages", len(b.messages))
        for m in b.messages:
            print("#", m)


if __name__ == "__main__":
    # timeout(1) sends TERM: unwind, so Chromium's process group is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(124))
    asyncio.run(main())
