/*
 * hotline HTML report: builds the page from the report document embedded
 * in <script id="hl-report"> (docs/report-format.md), so every figure on
 * the page is the JSON's. Sources come from <script id="hl-source">.
 * Large reports stay responsive: files are collapsed and render their lines
 * when opened, tables show a capped number of rows with "show more", and
 * the flame graph draws only frames wider than half a pixel.
 */
(function () {
'use strict';

var ROWS = 200;          /* rows a table or file shows before "show more" */
var doc = JSON.parse(document.getElementById('hl-report').textContent);
var srcEl = document.getElementById('hl-source');
var sources = srcEl ? JSON.parse(srcEl.textContent) : {};
var splitCache = {};
var state = { cold: false, threshold: 1 };

/* Small value helpers: the page never trusts a field's presence. */
function num(v) { return typeof v === 'number' && isFinite(v) ? v : 0; }
function arr(v) { return Array.isArray(v) ? v : []; }
function obj(v) { return v && typeof v === 'object' && !Array.isArray(v) ? v : {}; }
function fx(v, d) { return num(v).toFixed(d === undefined ? 2 : d); }
function pct(v) { return fx(v, 2) + '%'; }
function int(v) { return Math.round(num(v)).toLocaleString('en-US'); }
var ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function esc(s) { return String(s === undefined || s === null ? '' : s).replace(/[&<>"']/g, function (c) { return ESC[c]; }); }
function el(tag, attrs, html) {
	var e = document.createElement(tag);
	Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
	if (html !== undefined) e.innerHTML = html;
	return e;
}
function date(t) {
	if (!num(t)) return '?';
	return new Date(num(t) * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/* Source paths are shown relative to the common directory of the files
 * outside the system's (/usr, /lib...): "src/app/handlers.c", not the build
 * directory's whole path; others stay absolute; titles give the path. */
var ROOT = (function () {
	var dirs = null;
	arr(doc.files).forEach(function (f) {
		var p = String(obj(f).file || '');
		if (p.charAt(0) !== '/' || /^\/(usr|lib|lib64|opt)\//.test(p)) return;
		var d = p.split('/').slice(0, -1);
		if (!dirs) { dirs = d; return; }
		var i = 0;
		while (i < dirs.length && i < d.length && dirs[i] === d[i]) i++;
		dirs = dirs.slice(0, i);
	});
	return dirs && dirs.length > 1 ? dirs.join('/') + '/' : '';
})();
function rel(p) { p = String(p || ''); return ROOT && p.indexOf(ROOT) === 0 ? p.slice(ROOT.length) : p; }

/*
 * A percentage with its sampling error (schema 1.3: pct_lo, pct_hi, the
 * Wilson 95 % interval): "≈" and a faded style when the interval reaches
 * more than intervals.rough_pp points from the figure on either side;
 * the tooltip gives the interval.
 */
var ROUGH = num(obj(doc.intervals).rough_pp) || 5;
function rough(r) {
	if (typeof r.pct_lo !== 'number' || typeof r.pct_hi !== 'number') return false;
	return Math.max(num(r.cpu_pct) - r.pct_lo, r.pct_hi - num(r.cpu_pct)) > ROUGH;
}
function cpuPct(r) {
	if (!rough(r)) return pct(r.cpu_pct);
	return '<span class="rough" title="95% interval ' + fx(r.pct_lo) + ' \u2013 ' + fx(r.pct_hi) + '% (' + int(r.samples) +
		' samples): the window has too few samples to tell this figure closer than \u00b1' + fx(ROUGH, 0) + ' points">\u2248' + pct(r.cpu_pct) + '</span>';
}
function cpuCol(cls) {
	return { head: 'cpu %', n: true, cls: cls, key: function (r) { return num(r.cpu_pct); }, cell: cpuPct };
}

/*
 * The parts beyond CPU come from <body data-parts> (report_html.c decides
 * them from the document, schema 1.1): "memory" adds memory columns, cards
 * and the leaks section, "copy" the copy column, "timeline" the chart.
 */
var parts = (document.body.getAttribute('data-parts') || 'cpu').split(/\s+/);
var MEM = parts.indexOf('memory') >= 0, COPY = parts.indexOf('copy') >= 0;
var TIMELINE = parts.indexOf('timeline') >= 0;
var ALLOC = MEM && Array.isArray(doc.alloc_stacks);
var points = arr(obj(doc.timeline).points).map(obj);
var allLines = [], fileNo = {};
arr(doc.files).forEach(function (f, i) {
	fileNo[obj(f).file] = i;
	arr(obj(f).lines).forEach(function (l) { allLines.push({ f: f, l: obj(l) }); });
});
/* Per-line memory columns, each with a bar scaled to the largest value. */
var MCOLS = (MEM ? [
	{ key: 'alloc_mb', head: 'alloc MB', cls: 'alloc', tip: 'MB allocated by the line in the window (estimate from samples)' },
	{ key: 'net_mb', head: 'net MB', cls: 'net', tip: 'allocated and not freed in the window' },
	{ key: 'peak_mb', head: 'peak MB', cls: 'peak', tip: 'largest sampled heap in use charged to the line since the start' }
] : []).concat(COPY ? [
	{ key: 'copy_mb_s', head: 'copy MB/s', cls: 'copy', tip: 'library-call copies (memcpy/memmove through libc) per second' }
] : []);
MCOLS.forEach(function (c) {
	c.max = allLines.reduce(function (m, x) { return Math.max(m, num(x.l[c.key])); }, 0);
});
var SPARK = MEM && allLines.some(function (x) { return Array.isArray(x.l.timeline) && x.l.timeline.length > 1; });
var totalAlloc = num(obj(doc.totals).alloc_mb) || allLines.reduce(function (m, x) { return m + num(x.l.alloc_mb); }, 0);
var totalCopy = num(obj(doc.totals).copy_mb) || allLines.reduce(function (m, x) { return m + num(x.l.copy_mb); }, 0);
/* Leaks by "file:line": a line is marked when the document lists it and
 * its own likelihood is over 0.95. */
var leakAt = {};
if (MEM) arr(doc.leaks).forEach(function (k) { k = obj(k); leakAt[k.file + ':' + k.line] = k; });
function leakOf(f, l) {
	var k = leakAt[f.file + ':' + l.line];
	return k && num(l.leak_likelihood) > 0.95 ? k : null;
}
/* MB with as many decimals as the size needs; '' for zero. */
function mb(v) {
	v = num(v);
	if (v === 0) return '';
	var a = Math.abs(v);
	return v.toFixed(a >= 100 ? 1 : a >= 1 ? 2 : 3);
}
function bytes(v) {
	v = num(v);
	return v >= 1048576 ? fx(v / 1048576, 1) + ' MiB' : v >= 1024 ? fx(v / 1024, 0) + ' KiB' : int(v) + ' B';
}

/* A stacked own/native/system bar, scaled to the window (100% = all). */
function bar(o) {
	o = obj(o);
	return '<div class="bar" title="own ' + pct(o.own_pct) + ', native ' +
		pct(o.native_pct) + ', system ' + pct(o.system_pct) + '">' +
		['own', 'native', 'system'].map(function (c) {
			var w = num(o[c + '_pct']);
			return w > 0 ? '<div class="' + c + '" style="width:' + Math.max(w, 0.6).toFixed(2) + '%"></div>' : '';
		}).join('') + '</div>';
}

/* A memory cell: a bar scaled to the column's largest value, the value. */
function mcell(c, l) {
	var v = num(l[c.key]), w = c.max > 0 && v > 0 ? Math.max(100 * v / c.max, 2) : 0;
	if (v === 0) return '<td class="n m"></td>';
	return '<td class="n m"><span class="mc"><span class="mbar"><i class="' + c.cls + '" style="width:' + w.toFixed(1) +
		'%"></i></span><span class="mv">' + mb(v) + '</span></span></td>';
}

/*
 * A sparkline of a line's timeline: MB of sampled heap in use charged to
 * the line at each timeline point, x placed at the point's time when the
 * series is aligned with doc.timeline.points. Scaled to its own maximum;
 * the title gives the figures.
 */
function spark(vals) {
	vals = arr(vals).map(num);
	if (vals.length < 2) return '';
	var w = 96, h = 20, max = Math.max.apply(null, vals.concat([1e-9]));
	var aligned = points.length === vals.length, t0 = aligned ? num(points[0].t) : 0;
	var span = aligned ? num(points[points.length - 1].t) - t0 : 0;
	var xy = vals.map(function (v, i) {
		var x = span > 0 ? (num(points[i].t) - t0) / span : i / (vals.length - 1);
		return (1 + x * (w - 2)).toFixed(1) + ',' + (h - 1 - v / max * (h - 3)).toFixed(1);
	});
	var last = vals[vals.length - 1];
	return '<svg class="spark" width="' + w + '" height="' + h + '" viewBox="0 0 ' + w + ' ' + h + '"><title>heap in use charged to this line: ' +
		'min ' + fx(Math.min.apply(null, vals), 3) + ' MB, max ' + fx(max, 3) + ' MB, last ' + fx(last, 3) + ' MB over ' +
		vals.length + ' points</title><polygon class="sa" points="1,' + (h - 1) + ' ' + xy.join(' ') + ' ' + (w - 1) + ',' + (h - 1) +
		'"/><polyline class="sl" points="' + xy.join(' ') + '"/><circle class="sd" r="2" cx="' + xy[xy.length - 1].split(',')[0] +
		'" cy="' + xy[xy.length - 1].split(',')[1] + '"/></svg>';
}

/* One summary card. */
function card(k, v, s, warn) {
	return '<div class="card' + (warn ? ' warn' : '') + '"><div class="k">' + esc(k) + '</div><div class="v">' +
		esc(v) + '</div><div class="s">' + esc(s) + '</div></div>';
}

/*
 * The CPU card: the workers' CPU seconds and their share of the workers'
 * cores over the window (schema 1.3 doc.cpu; before it, the kernel's
 * seconds from overhead), with the sampled time's own/native/system split.
 */
function cpuCard() {
	var t = obj(doc.totals), c = obj(doc.cpu), o = obj(doc.overhead), w = obj(doc.window);
	var secs = 'seconds' in c ? num(c.seconds) : num(o.utime_seconds) + num(o.stime_seconds);
	var cores = 'cores' in c ? num(c.cores) : arr(doc.workers).length;
	var share = 'share_pct' in c ? num(c.share_pct) : cores && num(w.seconds) ? 100 * secs / cores / num(w.seconds) : 0;
	var classes = ['own', 'native', 'system'].concat(num(t.idle_pct) > 0 ? ['idle'] : []);
	return '<div class="card cpucard"><div class="k">CPU</div><div class="v">' + fx(secs, 2) + ' s</div><div class="s">' +
		fx(share, 1) + '% of ' + cores + ' worker core' + (cores === 1 ? '' : 's') + ' over ' + fx(w.seconds, 1) + ' s' +
		(c.source === 'samples' ? ' (sampled)' : '') + '</div><div class="split">' + classes.map(function (k) {
			return '<div class="' + k + '" style="width:' + num(t[k + '_pct']) + '%"></div>';
		}).join('') + '</div><div class="legend" title="shares of the sampled time"><span class="mute">split:</span>' + classes.map(function (k) {
			return '<span><i class="' + k + '"></i>' + k + ' ' + pct(t[k + '_pct']) + '</span>';
		}).join('') + '</div></div>';
}

/* The overhead card: overhead_pct and its parts (schema 1.3 parts_pct;
 * before it, computed from the seconds the document has). */
function overheadCard() {
	var o = obj(doc.overhead), p = obj(o.parts_pct), cpu = num(o.utime_seconds) + num(o.stime_seconds);
	function share(s) { return cpu > 0 ? 100 * s / cpu : 0; }
	var parts = 'sampler' in p ? p : { sampler: share(num(o.sampler_seconds) + num(o.signal_delivery_seconds)),
		memory_hooks: share(num(o.memory_hook_seconds) - num(o.copy_hook_seconds)), copy_hooks: share(num(o.copy_hook_seconds)) };
	var all = typeof o.overhead_pct === 'number' ? o.overhead_pct : parts.sampler + parts.memory_hooks + parts.copy_hooks;
	return card('Overhead', pct(all), 'sampler ' + pct(parts.sampler) + ', memory hooks ' + pct(parts.memory_hooks) +
		', copy hooks ' + pct(parts.copy_hooks) + ' of the workers\u2019 CPU');
}

/* The summary bar: CPU, window, workers, samples, drops, overhead,
 * reconciliation; then what the report was built with. */
function summary() {
	var w = obj(doc.window), t = obj(doc.totals), r = obj(doc.reconciliation), o = obj(doc.overhead);
	var cards = [
		card('Window', fx(w.seconds, 1) + ' s', date(w.start) + ' \u2013 ' + date(w.end).slice(11)),
		card('Workers', arr(doc.workers).length, (doc.clock || '?') + ' clock, ' + num(doc.sample_interval_ms) + ' ms mean'),
		card('Samples', int(t.samples), fx(t.seconds, 3) + ' s sampled, ' + int(t.unresolved_samples) + ' unresolved'),
		card('Drops', int(o.dropped), 'samples lost to full rings', num(o.dropped) > 0),
		overheadCard(),
		card('Reconciliation', (num(r.gap_pct) > 0 ? '+' : '') + fx(r.gap_pct, 1) + '%',
			'sampled ' + fx(r.sampled_cpu_seconds, 2) + ' s vs /proc ' + fx(r.proc_cpu_seconds, 2) + ' s', Math.abs(num(r.gap_pct)) > 25)
	];
	return '<div class="cards">' + cpuCard() + cards.join('') + '</div>' + filtersNote() + noLines() + (MEM ? memoryCards() : '');
}

/* What the report was built with (schema 1.3 doc.filters), and how sure
 * its percentages are. */
function filtersNote() {
	var f = doc.filters, n = int(obj(doc.totals).samples);
	if (!f || typeof f !== 'object') return '';
	var list = function (v) { return arr(v).length ? arr(v).map(esc).join(', ') : '\u2014'; };
	return '<div class="note filters">Built with: ' + (f.reduced_profile ? 'reduced profile (lines under ' + esc(f.cpu_percent_threshold) +
		'% of CPU and of bytes allocated left out)' : 'every line (no reduced profile)') + '; only: ' + list(f.only) + '; exclude: ' +
		list(f.exclude) + '. Percentages are of ' + n + ' samples; \u2248 marks one whose 95% interval reaches more than \u00b1' +
		fx(ROUGH, 0) + ' points (hover it).' + (ROOT ? ' Paths are relative to ' + esc(ROOT) + '.' : '') + '</div>';
}

/* Own code without a line table (schema 1.2): named object!function. */
function noLines() {
	var objs = arr(doc.objects_without_lines);
	return objs.length ? '<div class="note nolines">No line table in ' + objs.map(esc).join(', ') +
		': its code is shown as object!function, without lines; build with -g (-g -O2 -fno-omit-frame-pointer).</div>' : '';
}

/* The memory row of the summary: volumes, rate, heap, copies, sampling. */
function memoryCards() {
	var t = obj(doc.totals), m = obj(doc.memory);
	var cards = [
		card('Allocated', fx(t.alloc_mb, 1) + ' MB', 'freed ' + fx(t.free_mb, 1) + ' MB, net ' + fx(t.net_mb, 1) + ' MB'),
		card('Alloc rate', fx(t.alloc_mb_s, 2) + ' MB/s', int(t.mallocs) + ' sampled mallocs, ' + int(t.frees) + ' frees'),
		card('Sampled heap', fx(t.heap_mb, 1) + ' MB', 'in use at the window\u2019s end, all workers'),
		COPY ? card('Copies', fx(t.copy_mb, 1) + ' MB', (m.copy_scope || 'library-call copies') + ', ' + fx(t.copy_mb_s, 2) + ' MB/s') : '',
		card('Memory sampling', m.sample_bytes ? '1 per ' + bytes(m.sample_bytes) : '?',
			(m.hooks === false ? 'malloc hooks off in this build: nothing sampled' : 'malloc hooks on') + ', copy sampling ' + (m.copy ? 'on' : 'off'), m.hooks === false),
		card('Leaks', arr(doc.leaks).length, arr(doc.leaks).length ? 'lines flagged (see Leaks)' : 'no leaks flagged', arr(doc.leaks).length > 0)
	];
	return '<div class="cards mem"><div class="rowlabel">memory</div>' + cards.join('') + '</div>';
}

/*
 * A table with sortable headers and capped rows. cols: {head, key (sort
 * value getter), cell (html getter), n (numeric)}.
 */
function table(container, cols, rows, opts) {
	opts = opts || {};
	var shown = opts.cap || ROWS, sortBy = -1, desc = true;
	function draw() {
		var view = rows.slice();
		if (sortBy >= 0) {
			var key = cols[sortBy].key;
			view.sort(function (a, b) {
				var x = key(a), y = key(b);
				var c = typeof x === 'number' ? x - y : String(x).localeCompare(String(y));
				return desc ? -c : c;
			});
		}
		var h = '<table' + (opts.id ? ' id="' + opts.id + '"' : '') + '><thead><tr>' + cols.map(function (c, i) {
			return '<th data-c="' + i + '"' + (c.n ? ' class="n"' : '') + '>' + esc(c.head) + (i === sortBy ? (desc ? ' \u25be' : ' \u25b4') : '') + '</th>';
		}).join('') + '</tr></thead><tbody>';
		view.slice(0, shown).forEach(function (r) {
			h += '<tr' + (opts.rowClass ? ' class="' + opts.rowClass(r) + '"' : '') + '>' + cols.map(function (c) {
				if (c.raw) return c.cell(r);
				return '<td' + (c.cls ? ' class="' + c.cls + '"' : c.n ? ' class="n"' : '') + '>' + c.cell(r) + '</td>';
			}).join('') + '</tr>';
		});
		h += '</tbody></table>';
		if (view.length > shown)
			h += '<div class="more"><button data-more="1">show ' + Math.min(ROWS * 5, view.length - shown) +
				' more of ' + view.length + '</button></div>';
		if (!rows.length) h = '<div class="note">' + esc(opts.empty || 'nothing in this window') + '</div>';
		container.innerHTML = h;
	}
	container.addEventListener('click', function (e) {
		var th = e.target.closest('th[data-c]');
		if (th) {
			var c = +th.getAttribute('data-c');
			desc = c === sortBy ? !desc : true;
			sortBy = c;
			draw();
		} else if (e.target.closest('button[data-more]')) {
			shown += ROWS * 5;
			draw();
		}
	});
	draw();
}

/* Numeric column helper. */
function ncol(head, key, fmt, cls) {
	return { head: head, n: true, cls: cls, key: function (r) { return num(r[key]); },
		cell: function (r) { return (fmt || pct)(r[key]); } };
}

/* The ten hottest lines, for the top of the page. */
function topLines(box) {
	var rows = allLines.slice().sort(function (a, b) { return num(b.l.cpu_pct) - num(a.l.cpu_pct); })
		.slice(0, 10).map(function (x) { return Object.assign({ file: x.f.file }, x.l); });
	table(box, [
		{ head: 'file:line', key: function (r) { return rel(r.file) + ':' + r.line; },
			cell: function (r) { return lineLink(r.file, r.line); } },
		{ head: 'function', key: function (r) { return r.function || ''; }, cell: function (r) { return esc(r.function); } },
		cpuCol('n cpu'),
		{ head: 'own / native / system', key: function (r) { return num(r.cpu_pct); }, cell: bar },
	].concat(SPLIT ? [ncol('own %', 'own_pct'), ncol('native %', 'native_pct'), ncol('system %', 'system_pct')] : [],
		[ncol('samples', 'samples', int)], memCols(), [
		{ head: 'native libraries', key: function (r) { return arr(r.native_libraries).join(','); },
			cell: function (r) { return '<span class="libs">' + esc(arr(r.native_libraries).join(', ')) + '</span>'; } }
	]), rows, { id: 'top-lines', rowClass: function () { return 'hot'; }, empty: 'no samples in this window' });
}

/* The memory columns for table(): rows are lines (or carry the same keys). */
function memCols() {
	return MCOLS.map(function (c) {
		return { head: c.head, n: true, raw: true, key: function (r) { return num(r[c.key]); }, cell: function (r) { return mcell(c, r); } };
	});
}

/* A file:line link that opens the file at that line. */
function lineLink(file, line) {
	return '<a href="#" data-goto="' + esc(file) + '" data-line="' + esc(line) + '" title="' + esc(file) + '">' +
		esc(rel(file) + ':' + line) + '</a>';
}

/* The ten lines that allocate most, when the report has memory. */
function topMemory(box) {
	var rows = allLines.filter(function (x) { return num(x.l.alloc_mb) > 0 || num(x.l.copy_mb_s) > 0; })
		.sort(function (a, b) { return num(b.l.alloc_mb) - num(a.l.alloc_mb) || num(b.l.copy_mb_s) - num(a.l.copy_mb_s); })
		.slice(0, 10).map(function (x) { return Object.assign({ file: x.f.file, leak: leakOf(x.f, x.l) }, x.l); });
	table(box, [
		{ head: 'file:line', key: function (r) { return rel(r.file) + ':' + r.line; },
			cell: function (r) { return lineLink(r.file, r.line) + (r.leak ? ' <span class="leakmark">leak</span>' : ''); } },
		{ head: 'function', key: function (r) { return r.function || ''; }, cell: function (r) { return esc(r.function); } }
	].concat(memCols(), SPARK ? [{ head: 'heap over time', key: function (r) { return num(r.peak_mb); }, cell: function (r) { return spark(r.timeline); } }] : [], [
		ncol('alloc MB/s', 'alloc_mb_s', function (v) { return fx(v, 3); }),
		ncol('mallocs', 'mallocs', int), ncol('frees', 'frees', int),
		{ head: 'leak likelihood', n: true, key: function (r) { return num(r.leak_likelihood); },
			cell: function (r) { return num(r.mallocs) > 0 ? fx(r.leak_likelihood, 2) : ''; } },
		cpuCol()
	]), rows, { id: 'top-mem', empty: 'no line allocated or copied in this window' });
}

/* A file's source split into lines, once. */
function sourceLines(path) {
	if (!(path in splitCache))
		splitCache[path] = typeof sources[path] === 'string' ? sources[path].split('\n') : null;
	return splitCache[path];
}

/* A line is hot at the threshold by CPU, by its share of the memory
 * allocated, or because it leaks. */
function isHot(f, l) {
	if (l.cold) return false;
	if (num(l.cpu_pct) >= state.threshold) return true;
	if (MEM && totalAlloc > 0 && 100 * num(l.alloc_mb) / totalAlloc >= state.threshold) return true;
	if (COPY && totalCopy > 0 && 100 * num(l.copy_mb) / totalCopy >= state.threshold) return true;
	return MEM && !!leakOf(f, l);
}

/* The rows a file shows: hot JSON lines, or with cold lines every source
 * line (every JSON line when the source is missing). */
function fileRows(f) {
	var lines = arr(f.lines).map(obj), src = sourceLines(f.file);
	if (!state.cold)
		return lines.filter(function (l) { return isHot(f, l); });
	if (!src) return lines;
	var byNo = {};
	lines.forEach(function (l) { byNo[l.line] = l; });
	var n = src.length && src[src.length - 1] === '' ? src.length - 1 : src.length;
	var out = [];
	for (var i = 1; i <= n; i++) out.push(byNo[i] || { line: i, cold: true });
	return out;
}

/* With memory columns a file's table leaves out the own/native/system
 * numbers (the bar's title has them) and the function column (the line
 * number's title has it; the native libraries follow the source text), so
 * the source keeps its width on a laptop screen. */
var SPLIT = MCOLS.length === 0;

/* The column heads of a file's table. */
function fileHead() {
	return '<tr><th class="n">line</th><th class="n">cpu %</th><th>own / native / system</th>' +
		(SPLIT ? '<th class="n">own %</th><th class="n">native %</th><th class="n">system %</th>' : '') +
		MCOLS.map(function (c) { return '<th class="n" title="' + esc(c.tip) + '">' + esc(c.head) + '</th>'; }).join('') +
		(SPARK ? '<th title="MB of sampled heap in use charged to the line, over the window">heap over time</th>' : '') +
		'<th class="n">samples</th>' + (SPLIT ? '<th>function</th>' : '') + '<th>source</th></tr>';
}

/* One line row of a file's table. */
function lineRow(f, l, src) {
	var hot = isHot(f, l), leak = MEM && !l.cold ? leakOf(f, l) : null;
	var text = src && src[l.line - 1] !== undefined ? src[l.line - 1] : null;
	var libs = arr(l.native_libraries).length ? ' <span class="libs">\u2192 ' + esc(arr(l.native_libraries).join(', ')) + '</span>' : '';
	var cells = '<td class="n"' + (l.function ? ' title="' + esc(l.function) + '"' : '') + '>' + (leak ? '<span class="leakmark" title="leak likelihood ' + fx(leak.likelihood, 3) + ', net +' +
		fx(leak.growth_mb_s, 3) + ' MB/s">leak</span> ' : '') + esc(l.line) + '</td>';
	if (l.cold) {
		cells += '<td class="n"></td><td></td>' + (SPLIT ? '<td class="n"></td><td class="n"></td><td class="n"></td>' : '') +
			MCOLS.map(function () { return '<td class="n"></td>'; }).join('') + (SPARK ? '<td></td>' : '') +
			'<td class="n"></td>' + (SPLIT ? '<td></td>' : '');
	} else {
		cells += '<td class="n cpu">' + cpuPct(l) + '</td><td>' + bar(l) + '</td>' + (SPLIT ? '<td class="n">' + pct(l.own_pct) +
			'</td><td class="n">' + pct(l.native_pct) + '</td><td class="n">' + pct(l.system_pct) + '</td>' : '') +
			MCOLS.map(function (c) { return mcell(c, l); }).join('') +
			(SPARK ? '<td class="sp">' + spark(l.timeline) + '</td>' : '') +
			'<td class="n">' + int(l.samples) + '</td>' + (SPLIT ? '<td>' + esc(l.function) + libs + '</td>' : '');
	}
	cells += text !== null ? '<td class="src">' + esc(text) + (SPLIT ? '' : libs) + '</td>' :
		'<td class="src nosrc">' + (l.cold ? '' : esc(l.function) + ' (line ' + esc(l.line) + ')' + (SPLIT ? '' : libs)) + '</td>';
	return '<tr id="L' + fileNo[f.file] + '-' + esc(l.line) + '" class="' + (hot ? 'hot' : 'cold') + (leak ? ' leak' : '') + '">' + cells + '</tr>';
}

/* Render (or re-render) an open file's lines, shown rows at a time. */
function drawFile(box, f) {
	var rows = fileRows(f), src = sourceLines(f.file), shown = +(box.getAttribute('data-shown') || ROWS);
	var h = src ? '' : '<div class="note">source not available here: showing functions and line numbers</div>';
	var hidden = arr(f.lines).length - rows.filter(function (l) { return !l.cold; }).length;
	if (!state.cold && hidden > 0)
		h += '<div class="note">' + hidden + ' cold line' + (hidden > 1 ? 's' : '') + ' under ' + state.threshold + '% ' +
			(MEM ? 'of CPU, of memory allocated' + (COPY ? ', of bytes copied' : '') : 'CPU') + ' hidden</div>';
	h += '<table><thead>' + fileHead() + '</thead><tbody>' +
		rows.slice(0, shown).map(function (l) { return lineRow(f, l, src); }).join('') + '</tbody></table>';
	if (rows.length > shown)
		h += '<div class="more"><button data-more="1">show ' + Math.min(ROWS * 5, rows.length - shown) + ' more of ' + rows.length + '</button></div>';
	box.innerHTML = h;
}

/* The file list, hottest first; the hottest file starts open. */
function files(box) {
	var list = arr(doc.files).map(obj).sort(function (a, b) {
		return num(b.cpu_pct) - num(a.cpu_pct) || num(b.alloc_mb) - num(a.alloc_mb);
	});
	var shownFiles = ROWS;
	function header(f, i) {
		return '<div class="file" data-i="' + i + '"><div class="fhead"><span class="tw">\u25b8</span><span class="name" title="' +
			esc(f.file) + '">' + esc(rel(f.file)) + '</span>' + bar(f) + '<span class="n">' + pct(f.cpu_pct) + '</span>' +
			(MEM ? '<span class="n fmem" title="MB allocated / not freed in the window">alloc ' + (mb(f.alloc_mb) || '0') + ' MB, net ' +
				(mb(f.net_mb) || '0') + ' MB</span>' : '') +
			'<span class="mute">' + int(f.samples) + ' samples, ' + arr(f.lines).length + ' lines</span></div><div class="fbody" hidden></div></div>';
	}
	function draw() {
		var open = [];
		box.querySelectorAll('.file').forEach(function (d) { if (!d.querySelector('.fbody').hidden) open.push(+d.getAttribute('data-i')); });
		box.innerHTML = list.slice(0, shownFiles).map(header).join('') + (list.length > shownFiles ?
			'<div class="more"><button data-files="1">show more files (' + (list.length - shownFiles) + ' left)</button></div>' : '') +
			(list.length ? '' : '<div class="note">no source lines in this window</div>');
		(open.length ? open : list.length ? [0] : []).forEach(function (i) { toggle(box.querySelector('.file[data-i="' + i + '"]'), true); });
	}
	function toggle(d, on) {
		if (!d) return;
		var body = d.querySelector('.fbody');
		body.hidden = !on;
		d.querySelector('.tw').textContent = on ? '\u25be' : '\u25b8';
		if (on) drawFile(body, list[+d.getAttribute('data-i')]);
		else body.innerHTML = '';
	}
	box.addEventListener('click', function (e) {
		var d = e.target.closest('.file');
		if (e.target.closest('button[data-files]')) { shownFiles += ROWS; draw(); return; }
		if (e.target.closest('button[data-more]') && d) {
			var body = d.querySelector('.fbody');
			body.setAttribute('data-shown', (+(body.getAttribute('data-shown') || ROWS)) + ROWS * 5);
			drawFile(body, list[+d.getAttribute('data-i')]);
		} else if (e.target.closest('.fhead') && d) {
			toggle(d, d.querySelector('.fbody').hidden);
		}
	});
	files.redraw = function () {
		box.querySelectorAll('.file').forEach(function (d) { if (!d.querySelector('.fbody').hidden) toggle(d, true); });
	};
	/* Open path's file and, given a line, show and flash that row (the
	 * cold lines are shown when the line is under the threshold). */
	files.open = function (path, line) {
		var i = list.findIndex(function (f) { return f.file === path; });
		if (i < 0) return;
		if (i >= shownFiles) { shownFiles = i + 1; draw(); }
		var d = box.querySelector('.file[data-i="' + i + '"]'), f = list[i];
		var body = d.querySelector('.fbody');
		if (line) {
			var rows = fileRows(f), at = rows.findIndex(function (l) { return +l.line === +line; });
			if (at < 0 && !state.cold) {
				state.cold = true;
				document.getElementById('cold').checked = true;
				files.redraw();
				at = fileRows(f).findIndex(function (l) { return +l.line === +line; });
			}
			if (at >= +(body.getAttribute('data-shown') || ROWS)) body.setAttribute('data-shown', at + ROWS);
		}
		toggle(d, true);
		var row = line ? document.getElementById('L' + fileNo[path] + '-' + line) : null;
		(row || d).scrollIntoView({ block: row ? 'center' : 'start' });
		if (row) {
			row.classList.remove('flash');
			void row.offsetWidth;
			row.classList.add('flash');
		}
	};
	draw();
}

/* Frame colours, as the legend states them: grey for the root, warm for
 * a function of hotline or a module (one the Functions table lists),
 * blue-grey for libraries, the kernel and unnamed frames, magenta for a
 * search match; the hue varies with the name only so neighbours differ. */
var FLAME_MATCH = '#d633d6', OWN_FN = {};
arr(doc.functions).forEach(function (f) { OWN_FN[obj(f).function] = 1; });
function frameColor(name, i) {
	var h = 0;
	for (var c = 0; c < name.length; c++) h = (h * 31 + name.charCodeAt(c)) >>> 0;
	if (i === 0) return '#c9c9c9';
	if (OWN_FN[name]) return 'hsl(' + (10 + h % 35) + ',85%,' + (58 + h % 12) + '%)';
	return 'hsl(' + (195 + h % 40) + ',35%,' + (70 + h % 12) + '%)';
}
function flameLegend() {
	return '<span class="legend flegend"><span><i style="background:hsl(25,85%,62%)"></i>hotline or module code (a function in Functions)</span>' +
		'<span><i style="background:hsl(210,35%,74%)"></i>libraries, kernel, unnamed</span>' +
		'<span><i style="background:#c9c9c9"></i>all</span><span><i style="background:' + FLAME_MATCH + '"></i>search match</span></span>';
}

/* Folded stacks merged into a tree, flattened in preorder: name, value,
 * x (in value units), depth, end of subtree, parent. */
function flameNodes(stacks, value) {
	var root = { name: 'all', v: 0, kids: new Map() }, nodes = [];
	stacks.forEach(function (s) {
		var v = value(obj(s)), n = root;
		if (v <= 0) return;
		root.v += v;
		String(obj(s).stack || '').split(';').forEach(function (fr) {
			var k = n.kids.get(fr);
			if (!k) { k = { name: fr, v: 0, kids: new Map() }; n.kids.set(fr, k); }
			k.v += v;
			n = k;
		});
	});
	(function walk(n, x, d, parent) {
		var me = nodes.length;
		nodes.push({ name: n.name, v: n.v, x: x, d: d, end: 0, p: parent });
		Array.from(n.kids.values()).sort(function (a, b) { return b.v - a.v; }).forEach(function (k) {
			walk(k, x, d + 1, me);
			x += k.v;
		});
		nodes[me].end = nodes.length;
		n.kids = null;
	})(root, 0, 0, -1);
	return nodes;
}

/* Nodes whose name matches q (a regular expression, or plain text when it
 * is not one; case-insensitive), and their share of the root: a match
 * under a matched frame is not counted twice (as flamegraph.pl does). */
function flameSearch(nodes, q) {
	var re = null, hit = {}, under = {}, v = 0;
	if (!q) return { hit: hit, v: 0 };
	try { re = new RegExp(q, 'i'); } catch (e) { re = null; }
	var low = q.toLowerCase();
	nodes.forEach(function (n, i) {
		if (i === 0) return;
		var m = re ? re.test(n.name) : n.name.toLowerCase().indexOf(low) >= 0;
		if (m) hit[i] = 1;
		if (under[n.p] || hit[n.p]) under[i] = 1;
		else if (m) v += n.v;
	});
	return { hit: hit, v: v };
}

/*
 * A flame graph in box: root at top, heaviest callee left; click a frame to
 * zoom into it, the root or reset to zoom out; the search box highlights
 * matching frames and says their share. o: {stacks, value (a stack's
 * weight), what (a frame's figures, for its title), amount (a weight in
 * its unit), empty (the note when there is nothing), id (the elements' id
 * prefix)}.
 */
function flame(box, o) {
	var H = 17, nodes = flameNodes(o.stacks, o.value), total = nodes[0].v || 1, zoom = 0, found = { hit: {}, v: 0 };
	var maxDepth = nodes.reduce(function (m, n) { return Math.max(m, n.d); }, 0);
	function draw() {
		var W = Math.max(320, Math.round(box.clientWidth) || 1200), z = nodes[zoom], scale = W / (z.v || 1), out = [], anc = {};
		for (var a = z.p; a >= 0; a = nodes[a].p) anc[a] = 1;
		for (var i = 0; i < nodes.length; i++) {
			var n = nodes[i], x, w;
			if (anc[i] || i === 0) { x = 0; w = W; }
			else if (i >= zoom && i < z.end) { x = (n.x - z.x) * scale; w = n.v * scale; }
			else { i = n.end - 1; continue; }	/* beside the zoomed frame */
			if (w < 0.5) { i = n.end - 1; continue; }
			var label = w > 30 ? esc(n.name.slice(0, Math.floor(w / 6.6))) : '';
			out.push('<g data-i="' + i + '"' + (anc[i] ? ' class="anc"' : found.hit[i] ? ' class="match"' : '') + '><title>' + esc(n.name) + ': ' +
				o.what(n.v, total) + '</title><rect x="' + x.toFixed(2) + '" y="' + n.d * H + '" width="' + w.toFixed(2) + '" height="' + (H - 1) +
				'" fill="' + (found.hit[i] ? FLAME_MATCH : frameColor(n.name, i)) + '"/>' +
				(label ? '<text x="' + (x + 3).toFixed(2) + '" y="' + (n.d * H + 12) + '">' + label + '</text>' : '') + '</g>');
		}
		box.innerHTML = nodes[0].v ? '<svg id="' + o.id + '-svg" viewBox="0 0 ' + W + ' ' + (maxDepth + 1) * H + '" preserveAspectRatio="none" style="height:' +
			(maxDepth + 1) * H + 'px">' + out.join('') + '</svg>' : '<div class="note">' + esc(o.empty) + '</div>';
		var info = document.getElementById(o.id + '-zoom');
		if (info) info.textContent = zoom ? 'zoomed into ' + nodes[zoom].name + ' (' + (100 * nodes[zoom].v / total).toFixed(2) + '%)' : '';
	}
	box.addEventListener('click', function (e) {
		var g = e.target.closest('g[data-i]');
		if (!g) return;
		zoom = +g.getAttribute('data-i');
		draw();
	});
	document.getElementById(o.id + '-reset').addEventListener('click', function () { zoom = 0; draw(); });
	document.getElementById(o.id + '-q').addEventListener('input', function (e) {
		var q = e.target.value.trim(), m = document.getElementById(o.id + '-match');
		found = flameSearch(nodes, q);
		m.textContent = q ? 'matched ' + (100 * found.v / total).toFixed(2) + '% (' + o.amount(found.v, total) + ')' : '';
		draw();
	});
	var width = 0, timer = 0;
	window.addEventListener('resize', function () {
		clearTimeout(timer);
		timer = setTimeout(function () { if (box.clientWidth !== width) { width = box.clientWidth; draw(); } }, 150);
	});
	draw();
	width = box.clientWidth;
}

/* The flame graphs' section: CPU samples, and beside it (with memory) the
 * sampled bytes allocated. */
function flamePanel(id, title, note) {
	return '<div class="fpanel"><h3>' + esc(title) + '</h3><div class="controls"><input type="search" id="' + id + '-q" placeholder="search (regex)" ' +
		'aria-label="search ' + esc(title) + '"><span id="' + id + '-match" class="fmatch"></span><button id="' + id + '-reset">reset zoom</button>' +
		'<span id="' + id + '-zoom" class="mute"></span></div><div class="note">' + esc(note) + '</div><div id="' + id + '" class="flame"></div></div>';
}
function flames() {
	var ms = num(obj(doc.totals).seconds) * 1000;
	flame(document.getElementById('flame'), { id: 'flame', stacks: arr(doc.stacks), empty: 'no stacks in this window',
		value: function (s) { return num(s.samples); },
		what: function (v, total) { return int(v) + ' samples, ' + (100 * v / total).toFixed(2) + '%, ' + (ms * v / total).toFixed(1) + ' ms'; },
		amount: function (v, total) { return int(v) + ' samples, ' + (ms * v / total).toFixed(1) + ' ms'; } });
	if (ALLOC) flame(document.getElementById('aflame'), { id: 'aflame', stacks: arr(doc.alloc_stacks), empty: 'no sampled allocation in this window',
		value: function (s) { return num(s.bytes); },
		what: function (v, total) { return bytes(v) + ', ' + (100 * v / total).toFixed(2) + '% of the bytes allocated'; },
		amount: function (v) { return bytes(v) + ' allocated'; } });
}

/* Functions, handlers and workers tables. */
function tables() {
	table(document.getElementById('functions-t'), [
		{ head: 'function', key: function (r) { return r.function || ''; }, cell: function (r) { return esc(r.function); } },
		{ head: 'file:line', key: function (r) { return rel(r.file) + ':' + r.line; },
			cell: function (r) { return '<span title="' + esc(r.file) + '">' + esc(rel(r.file) + ':' + r.line) + '</span>'; } },
		cpuCol('n cpu'), { head: 'own / native / system', key: function (r) { return num(r.cpu_pct); }, cell: bar },
		ncol('own %', 'own_pct'), ncol('native %', 'native_pct'), ncol('system %', 'system_pct'), ncol('samples', 'samples', int)
	].concat(MEM ? [ncol('alloc MB', 'alloc_mb', mbz), ncol('net MB', 'net_mb', mbz)] : [],
		COPY ? [ncol('copy MB', 'copy_mb', mbz)] : []), arr(doc.functions).map(obj), { cap: 50 });
	table(document.getElementById('handlers-t'), [
		ncol('pkg_id', 'pkg_id', int), { head: 'name', key: function (r) { return r.name || ''; }, cell: function (r) { return esc(r.name); } },
		ncol('calls', 'calls', int), ncol('CPU ms/call', 'cpu_ms_per_call', function (v) { return fx(v, 3); }, 'n cpu'),
		ncol('CPU ms', 'cpu_ms', function (v) { return fx(v, 1); }), cpuCol(), ncol('samples', 'samples', int)
	].concat(MEM ? [ncol('alloc bytes/call', 'alloc_bytes_per_call', int, 'n mem'), ncol('alloc MB', 'alloc_mb', mbz)] : []),
		arr(doc.handlers).map(obj), { empty: 'no handler ran in this window' });
	table(document.getElementById('workers-t'), [
		ncol('slot', 'slot', int), ncol('index', 'index', int), ncol('pid', 'pid', String), ncol('samples', 'samples', int),
		ncol('dropped', 'dropped', int), ncol('user s', 'utime_seconds', function (v) { return fx(v, 2); }),
		ncol('system s', 'stime_seconds', function (v) { return fx(v, 2); }),
		ncol('sampler ms', 'sampler_seconds', function (v) { return fx(num(v) * 1000, 1); })
	].concat(MEM ? [ncol('RSS MB', 'rss_mb', mbz), ncol('heap MB', 'heap_mb', mbz), ncol('alloc MB', 'alloc_mb', mbz)] : []),
		arr(doc.workers).map(obj), { empty: 'no worker sampled' });
}

/* MB for a table cell, '0' rather than nothing. */
function mbz(v) { return mb(v) || '0'; }

/* The leaks: lines whose memory grows without being freed. */
function leaks(box) {
	var rows = arr(doc.leaks).map(obj);
	box.innerHTML = '<div class="note">A line is flagged when, since the start of the run, its leak likelihood ' +
		'1 \u2212 (frees + 1) / (mallocs \u2212 frees + 2) is over 0.95 and its sampled net memory kept growing; ' +
		'counts are sampled allocations.</div><div id="leaks-t"></div>';
	table(box.lastChild, [
		{ head: 'file:line', key: function (r) { return rel(r.file) + ':' + r.line; }, cell: function (r) { return lineLink(r.file, r.line); } },
		{ head: 'function', key: function (r) { return r.function || ''; }, cell: function (r) { return esc(r.function); } },
		ncol('likelihood', 'likelihood', function (v) { return fx(v, 3); }, 'n leakl'),
		ncol('growth MB/s', 'growth_mb_s', function (v) { return fx(v, 3); }),
		ncol('net MB', 'net_mb', mbz), ncol('mallocs', 'mallocs', int), ncol('frees', 'frees', int)
	], rows, { id: 'leaks-table', empty: 'no leaks flagged: no line has a leak likelihood over 0.95 with growing net memory' });
}

/* A round step for about n ticks up to max, and the axis top it gives. */
function axis(max, n) {
	max = max > 0 ? max : 1;
	var raw = max / n, p = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10)), r = raw / p;
	var step = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10) * p;
	return { step: step, top: Math.ceil(max / step - 1e-9) * step };
}
function tickText(v, step) { return step < 1 ? v.toFixed(step < 0.1 ? 2 : 1) : String(Math.round(v)); }

var COLORS = ['#d1495b', '#2e86ab', '#3b8b3b', '#8e44ad', '#e09f1f', '#1b998b', '#6b4f3a', '#5c6bc0'];

/* The workers of the timeline as series: {slot, pid, pts: [{i, t, cpu, rss, heap}]}. */
function timelineSeries() {
	var by = {}, list = [];
	points.forEach(function (p, i) {
		arr(p.workers).map(obj).forEach(function (w) {
			var k = w.slot + '/' + w.pid;
			if (!by[k]) { by[k] = { slot: num(w.slot), pid: w.pid, pts: [] }; list.push(by[k]); }
			by[k].pts.push({ i: i, t: num(p.t), cpu: num(w.cpu_pct), rss: num(w.rss_mb), heap: num(w.heap_mb) });
		});
	});
	list.sort(function (a, b) { return a.slot - b.slot || num(a.pid) - num(b.pid); });
	list.forEach(function (s, i) { s.color = COLORS[i % COLORS.length]; });
	return list;
}

/*
 * The timeline chart: per worker, CPU % of one core (upper panel) and
 * memory (lower panel: RSS solid, sampled heap dashed) over the window,
 * with axes, a legend, and a hover line that reads every worker's values
 * at the nearest point. Drawn at the box's width, again on resize.
 */
function timeline(box) {
	var series = timelineSeries(), tmax = 0, cmax = 100, mmax = 0;
	series.forEach(function (s) {
		s.pts.forEach(function (p) { tmax = Math.max(tmax, p.t); cmax = Math.max(cmax, p.cpu); mmax = Math.max(mmax, p.rss, MEM ? p.heap : 0); });
	});
	tmax = Math.max(tmax, num(obj(doc.window).seconds));	/* the whole window, gaps shown */
	var L = 56, R = 18, T = 22, PH = 160, GAP = 46, B = 34;
	var ca = axis(cmax, 4), ma = axis(mmax, 4), xa = axis(tmax, 10);
	var legend = '<div class="tl-legend">' + series.map(function (s) {
		return '<span><i style="background:' + s.color + '"></i>worker slot ' + esc(s.slot) + ' <span class="mute">pid ' + esc(s.pid) + '</span></span>';
	}).join('') + '<span class="mute"><svg width="26" height="8"><line x1="0" y1="4" x2="26" y2="4" stroke="#555" stroke-width="2"/></svg> RSS' +
		'</span>' + (MEM ? '<span class="mute"><svg width="26" height="8"><line x1="0" y1="4" x2="26" y2="4" stroke="#555" stroke-width="2" ' +
		'stroke-dasharray="5 3"/></svg> sampled heap</span>' : '') + '</div>';
	function draw() {
		var W = Math.max(480, box.clientWidth || 900), iw = W - L - R, H = T + 2 * PH + GAP + B;
		var top2 = T + PH + GAP;
		function X(t) { return L + (xa.top > 0 ? t / xa.top : 0) * iw; }
		function Y(v, a, y0) { return y0 + PH - v / a.top * PH; }
		var g = [];
		/* Grid, y ticks and titles of both panels. */
		[[ca, T, 'CPU % of one core'], [ma, top2, 'memory MB']].forEach(function (pn) {
			for (var v = 0; v <= pn[0].top + 1e-9; v += pn[0].step) {
				var y = Y(v, pn[0], pn[1]).toFixed(1);
				g.push('<line class="grid" x1="' + L + '" x2="' + (W - R) + '" y1="' + y + '" y2="' + y + '"/><text class="yt" x="' + (L - 6) +
					'" y="' + y + '" dy="4">' + tickText(v, pn[0].step) + '</text>');
			}
			g.push('<text class="ttl" x="' + L + '" y="' + (pn[1] - 8) + '">' + pn[2] + '</text>');
			g.push('<line class="ax" x1="' + L + '" x2="' + L + '" y1="' + pn[1] + '" y2="' + (pn[1] + PH) + '"/>');
			g.push('<line class="ax" x1="' + L + '" x2="' + (W - R) + '" y1="' + (pn[1] + PH) + '" y2="' + (pn[1] + PH) + '"/>');
		});
		for (var t = 0; t <= xa.top + 1e-9; t += xa.step) {
			var x = X(t).toFixed(1);
			g.push('<line class="grid v" x1="' + x + '" x2="' + x + '" y1="' + T + '" y2="' + (top2 + PH) + '"/><text class="xt" x="' + x + '" y="' +
				(top2 + PH + 16) + '">' + tickText(t, xa.step) + '</text>');
		}
		g.push('<text class="xl" x="' + (W - R) + '" y="' + (H - 2) + '">seconds since the window\u2019s start</text>');
		series.forEach(function (s) {
			function line(key, a, y0, cls) {
				return '<polyline class="' + cls + '" data-slot="' + esc(s.slot) + '" stroke="' + s.color + '" points="' + s.pts.map(function (p) {
					return X(p.t).toFixed(1) + ',' + Y(p[key], a, y0).toFixed(1);
				}).join(' ') + '"/>';
			}
			g.push(line('cpu', ca, T, 'cpu'), line('rss', ma, top2, 'rss'));
			if (MEM) g.push(line('heap', ma, top2, 'heap'));
			if (s.pts.length < 3) s.pts.forEach(function (p) {	/* too few for a line */
				g.push('<circle r="3" fill="' + s.color + '" cx="' + X(p.t).toFixed(1) + '" cy="' + Y(p.cpu, ca, T).toFixed(1) + '"/>' +
					'<circle r="3" fill="' + s.color + '" cx="' + X(p.t).toFixed(1) + '" cy="' + Y(p.rss, ma, top2).toFixed(1) + '"/>');
			});
		});
		g.push('<line id="tl-cursor" class="cursor" x1="0" x2="0" y1="' + T + '" y2="' + (top2 + PH) + '" visibility="hidden"/>');
		g.push('<rect class="hover" x="' + L + '" y="' + T + '" width="' + iw + '" height="' + (top2 + PH - T) + '"/>');
		box.innerHTML = '<svg id="timeline-svg" width="' + W + '" height="' + H + '" viewBox="0 0 ' + W + ' ' + H + '">' + g.join('') +
			'</svg><div class="tl-tip" hidden></div>' + legend;
		var svg = box.firstChild, tip = box.querySelector('.tl-tip'), cur = svg.querySelector('#tl-cursor');
		svg.addEventListener('mousemove', function (e) {
			var r = svg.getBoundingClientRect(), t = (e.clientX - r.left - L) / iw * xa.top, best = -1, bd = Infinity;
			points.forEach(function (p, i) { var d = Math.abs(num(p.t) - t); if (d < bd) { bd = d; best = i; } });
			if (best < 0) return;
			var p = points[best], x = X(num(p.t));
			cur.setAttribute('x1', x); cur.setAttribute('x2', x); cur.setAttribute('visibility', 'visible');
			tip.innerHTML = '<b>t = ' + fx(p.t, 1) + ' s</b><table>' + '<tr><th></th><th>CPU %</th><th>RSS MB</th>' + (MEM ? '<th>heap MB</th>' : '') + '</tr>' +
				series.map(function (s) {
					var q = s.pts.filter(function (q) { return q.i === best; })[0];
					return q ? '<tr><td><i style="background:' + s.color + '"></i>slot ' + esc(s.slot) + '</td><td>' + fx(q.cpu, 1) + '</td><td>' +
						fx(q.rss, 1) + '</td>' + (MEM ? '<td>' + fx(q.heap, 1) + '</td>' : '') + '</tr>' : '';
				}).join('') + '</table>';
			tip.hidden = false;
			tip.style.left = Math.min(x + 12, W - 230) + 'px';
			tip.style.top = (e.clientY - r.top + 12) + 'px';
		});
		svg.addEventListener('mouseleave', function () { tip.hidden = true; cur.setAttribute('visibility', 'hidden'); });
	}
	var width = 0, timer = 0;
	window.addEventListener('resize', function () {
		clearTimeout(timer);
		timer = setTimeout(function () { if (box.clientWidth !== width) { width = box.clientWidth; draw(); } }, 150);
	});
	draw();
	width = box.clientWidth;
}

/* The page skeleton, then each part. */
function build() {
	var app = document.getElementById('app');
	var w = obj(doc.window);
	app.innerHTML = '<header><h1>' + esc(doc.generator || 'hotline') + ' profile</h1><span>' + esc(doc.kind) + ' report, ' +
		esc(date(w.start)) + ', ' + fx(w.seconds, 1) + ' s, schema ' + esc(doc.schema_version) + '</span><nav>' +
		'<a href="#summary">summary</a><a href="#hottest">hottest</a>' + (TIMELINE ? '<a href="#timeline">timeline</a>' : '') +
		(MEM ? '<a href="#memory">memory</a><a href="#leaks">leaks</a>' : '') + '<a href="#files">lines</a><a href="#flame-s">flame graphs</a>' +
		'<a href="#functions">functions</a><a href="#handlers">handlers</a><a href="#workers">workers</a></nav></header><main>' +
		'<section id="summary">' + summary() + '</section>' +
		'<section id="hottest"><h2>Hottest lines</h2><div id="top-t"></div></section>' +
		(TIMELINE ? '<section id="timeline"><h2>Timeline: CPU and memory per worker</h2><div id="timeline-c"></div></section>' : '') +
		(MEM ? '<section id="memory"><h2>Lines by memory allocated</h2><div id="top-m"></div></section>' +
			'<section id="leaks"><h2>Leaks</h2><div id="leaks-b"></div></section>' : '') +
		'<section id="files"><h2>Files and lines</h2><div class="controls"><label><input type="checkbox" id="cold"> show cold lines ' +
		'(all source lines)</label><label>hot at &ge; <input type="number" id="thr" value="1" min="0" max="100" step="0.5" style="width:5em"> % CPU' + (MEM ? ' or of memory allocated' : '') + '</label>' +
		'<span class="legend"><span><i class="own"></i>own</span><span><i class="native"></i>native</span><span><i class="system"></i>system</span></span></div><div id="files-l"></div></section>' +
		'<section id="flame-s"><h2>Flame graphs</h2><div class="note">Root at top, heaviest callee left, width is the share; click a frame to zoom. ' +
		flameLegend() + '</div><div class="fgrid">' + flamePanel('flame', 'CPU', 'width: CPU samples') + (ALLOC ? flamePanel('aflame', 'Allocations',
		'width: sampled bytes allocated; the leaf is the function that called the allocator') : '') + '</div></section>' +
		'<section id="functions"><h2>Functions</h2><div id="functions-t"></div></section>' +
		'<section id="handlers"><h2>Handlers</h2><div id="handlers-t"></div></section>' +
		'<section id="workers"><h2>Workers</h2><div id="workers-t"></div></section></main>';
	topLines(document.getElementById('top-t'));
	if (MEM) {
		topMemory(document.getElementById('top-m'));
		leaks(document.getElementById('leaks-b'));
	}
	if (TIMELINE) timeline(document.getElementById('timeline-c'));
	files(document.getElementById('files-l'));
	flames();
	tables();
	document.getElementById('cold').addEventListener('change', function (e) { state.cold = e.target.checked; files.redraw(); });
	document.getElementById('thr').addEventListener('change', function (e) {
		state.threshold = Math.max(0, num(parseFloat(e.target.value)));
		files.redraw();
	});
	document.querySelector('main').addEventListener('click', function (e) {
		var a = e.target.closest('a[data-goto]');
		if (a) { e.preventDefault(); files.open(a.getAttribute('data-goto'), a.getAttribute('data-line')); }
	});
}

build();
})();
