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
function base(p) { return String(p || '').split('/').pop(); }

/* Optional per-line columns a later schema minor adds; shown only when a
 * line carries them. */
var EXTRA = [
	{ key: 'alloc_mb', head: 'alloc MB' },
	{ key: 'net_mb', head: 'net MB' },
	{ key: 'copy_mb_s', head: 'copy MB/s' }
];
var allLines = [];
arr(doc.files).forEach(function (f) {
	arr(obj(f).lines).forEach(function (l) { allLines.push({ f: f, l: obj(l) }); });
});
var extra = EXTRA.filter(function (c) {
	return allLines.some(function (x) { return typeof x.l[c.key] === 'number'; });
});
var hasTimeline = allLines.some(function (x) { return Array.isArray(x.l.timeline); });

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

/* A sparkline of a numeric series. */
function spark(vals) {
	vals = arr(vals).map(num);
	if (vals.length < 2) return '';
	var max = Math.max.apply(null, vals.concat([1e-9])), w = 80, h = 16;
	var pts = vals.map(function (v, i) {
		return (i * w / (vals.length - 1)).toFixed(1) + ',' + (h - v / max * h).toFixed(1);
	}).join(' ');
	return '<svg class="spark" width="' + w + '" height="' + h + '"><polyline fill="none" stroke="#e4572e" points="' + pts + '"/></svg>';
}

/* One summary card. */
function card(k, v, s, warn) {
	return '<div class="card' + (warn ? ' warn' : '') + '"><div class="k">' + esc(k) + '</div><div class="v">' +
		esc(v) + '</div><div class="s">' + esc(s) + '</div></div>';
}

/* The summary bar: window, workers, samples, drops, overhead, split. */
function summary() {
	var w = obj(doc.window), t = obj(doc.totals), r = obj(doc.reconciliation), o = obj(doc.overhead);
	var cpu = num(o.utime_seconds) + num(o.stime_seconds);
	var ovh = cpu > 0 ? 100 * num(o.sampler_seconds) / cpu : 0;
	var classes = ['own', 'native', 'system'].concat(num(t.idle_pct) > 0 ? ['idle'] : []);
	var split = '<div class="card"><div class="k">CPU split</div><div class="v">' + pct(t.cpu_pct) +
		'</div><div class="split">' + classes.map(function (c) {
			return '<div class="' + c + '" style="width:' + num(t[c + '_pct']) + '%"></div>';
		}).join('') + '</div><div class="legend">' + classes.map(function (c) {
			return '<span><i class="' + c + '"></i>' + c + ' ' + pct(t[c + '_pct']) + '</span>';
		}).join('') + '</div></div>';
	var cards = [
		card('Window', fx(w.seconds, 1) + ' s', date(w.start) + ' \u2013 ' + date(w.end)),
		card('Workers', arr(doc.workers).length, (doc.clock || '?') + ' clock, ' + num(doc.sample_interval_ms) + ' ms mean'),
		card('Samples', int(t.samples), fx(t.seconds, 3) + ' s sampled, ' + int(t.unresolved_samples) + ' unresolved'),
		card('Drops', int(o.dropped), 'samples lost to full rings', num(o.dropped) > 0),
		card('Overhead', fx(ovh, 2) + '%', fx(num(o.sampler_seconds) * 1000, 1) + ' ms in the sampler'),
		card('Reconciliation', (num(r.gap_pct) > 0 ? '+' : '') + fx(r.gap_pct, 1) + '%',
			'sampled ' + fx(r.sampled_cpu_seconds, 2) + ' s vs /proc ' + fx(r.proc_cpu_seconds, 2) + ' s', Math.abs(num(r.gap_pct)) > 25)
	];
	if (typeof t.alloc_mb === 'number') cards.push(card('Memory', fx(t.alloc_mb, 1) + ' MB', 'net ' + fx(t.net_mb, 1) + ' MB'));
	if (typeof t.copy_mb === 'number') cards.push(card('Copy', fx(t.copy_mb, 1) + ' MB', ''));
	return '<div class="cards">' + split + cards.join('') + '</div>';
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
		{ head: 'file:line', key: function (r) { return base(r.file) + ':' + r.line; },
			cell: function (r) { return '<a href="#" data-goto="' + esc(r.file) + '" title="' + esc(r.file) + '">' + esc(base(r.file) + ':' + r.line) + '</a>'; } },
		{ head: 'function', key: function (r) { return r.function || ''; }, cell: function (r) { return esc(r.function); } },
		ncol('cpu %', 'cpu_pct', pct, 'n cpu'),
		{ head: 'own / native / system', key: function (r) { return num(r.cpu_pct); }, cell: bar },
		ncol('own %', 'own_pct'), ncol('native %', 'native_pct'), ncol('system %', 'system_pct'),
		ncol('samples', 'samples', int),
		{ head: 'native libraries', key: function (r) { return arr(r.native_libraries).join(','); },
			cell: function (r) { return '<span class="libs">' + esc(arr(r.native_libraries).join(', ')) + '</span>'; } }
	], rows, { id: 'top-lines', rowClass: function () { return 'hot'; }, empty: 'no samples in this window' });
}

/* A file's source split into lines, once. */
function sourceLines(path) {
	if (!(path in splitCache))
		splitCache[path] = typeof sources[path] === 'string' ? sources[path].split('\n') : null;
	return splitCache[path];
}

/* The rows a file shows: hot JSON lines, or with cold lines every source
 * line (every JSON line when the source is missing). */
function fileRows(f) {
	var lines = arr(f.lines).map(obj), src = sourceLines(f.file);
	if (!state.cold)
		return lines.filter(function (l) { return num(l.cpu_pct) >= state.threshold; });
	if (!src) return lines;
	var byNo = {};
	lines.forEach(function (l) { byNo[l.line] = l; });
	var n = src.length && src[src.length - 1] === '' ? src.length - 1 : src.length;
	var out = [];
	for (var i = 1; i <= n; i++) out.push(byNo[i] || { line: i, cold: true });
	return out;
}

/* One line row of a file's table. */
function lineRow(f, l, src) {
	var hot = !l.cold && num(l.cpu_pct) >= state.threshold;
	var text = src && src[l.line - 1] !== undefined ? src[l.line - 1] : null;
	var cells = '<td class="n">' + esc(l.line) + '</td>';
	if (l.cold) {
		cells += '<td class="n"></td><td></td><td class="n"></td><td class="n"></td><td class="n"></td>' +
			extra.map(function () { return '<td class="n"></td>'; }).join('') + (hasTimeline ? '<td></td>' : '') +
			'<td class="n"></td><td></td>';
	} else {
		cells += '<td class="n cpu">' + pct(l.cpu_pct) + '</td><td>' + bar(l) + '</td><td class="n">' + pct(l.own_pct) +
			'</td><td class="n">' + pct(l.native_pct) + '</td><td class="n">' + pct(l.system_pct) + '</td>' +
			extra.map(function (c) { return '<td class="n">' + (typeof l[c.key] === 'number' ? fx(l[c.key], 2) : '') + '</td>'; }).join('') +
			(hasTimeline ? '<td>' + spark(l.timeline) + '</td>' : '') +
			'<td class="n">' + int(l.samples) + '</td><td>' + esc(l.function) +
			(arr(l.native_libraries).length ? ' <span class="libs">\u2192 ' + esc(arr(l.native_libraries).join(', ')) + '</span>' : '') + '</td>';
	}
	cells += text !== null ? '<td class="src">' + esc(text) + '</td>' :
		'<td class="src nosrc">' + (l.cold ? '' : esc(l.function) + ' (line ' + esc(l.line) + ')') + '</td>';
	return '<tr class="' + (hot ? 'hot' : l.cold || num(l.cpu_pct) < state.threshold ? 'cold' : '') + '">' + cells + '</tr>';
}

/* Render (or re-render) an open file's lines, shown rows at a time. */
function drawFile(box, f) {
	var rows = fileRows(f), src = sourceLines(f.file), shown = +(box.getAttribute('data-shown') || ROWS);
	var head = '<tr><th class="n">line</th><th class="n">cpu %</th><th>own / native / system</th><th class="n">own %</th>' +
		'<th class="n">native %</th><th class="n">system %</th>' +
		extra.map(function (c) { return '<th class="n">' + esc(c.head) + '</th>'; }).join('') +
		(hasTimeline ? '<th>timeline</th>' : '') + '<th class="n">samples</th><th>function</th><th>source</th></tr>';
	var h = src ? '' : '<div class="note">source not available here: showing functions and line numbers</div>';
	var hidden = arr(f.lines).length - rows.filter(function (l) { return !l.cold; }).length;
	if (!state.cold && hidden > 0)
		h += '<div class="note">' + hidden + ' cold line' + (hidden > 1 ? 's' : '') + ' under ' + state.threshold + '% hidden</div>';
	h += '<table><thead>' + head + '</thead><tbody>' +
		rows.slice(0, shown).map(function (l) { return lineRow(f, l, src); }).join('') + '</tbody></table>';
	if (rows.length > shown)
		h += '<div class="more"><button data-more="1">show ' + Math.min(ROWS * 5, rows.length - shown) + ' more of ' + rows.length + '</button></div>';
	box.innerHTML = h;
}

/* The file list, hottest first; the hottest file starts open. */
function files(box) {
	var list = arr(doc.files).map(obj).sort(function (a, b) { return num(b.cpu_pct) - num(a.cpu_pct); });
	var shownFiles = ROWS;
	function header(f, i) {
		return '<div class="file" data-i="' + i + '"><div class="fhead"><span class="tw">\u25b8</span><span class="name" title="' +
			esc(f.file) + '">' + esc(f.file) + '</span>' + bar(f) + '<span class="n">' + pct(f.cpu_pct) +
			'</span><span class="mute">' + int(f.samples) + ' samples, ' + arr(f.lines).length + ' lines</span></div><div class="fbody" hidden></div></div>';
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
	files.open = function (path) {
		var i = list.findIndex(function (f) { return f.file === path; });
		if (i < 0) return;
		if (i >= shownFiles) { shownFiles = i + 1; draw(); }
		var d = box.querySelector('.file[data-i="' + i + '"]');
		toggle(d, true);
		d.scrollIntoView();
	};
	draw();
}

/* The flame graph: stacks merged into a tree, heaviest child left (root at
 * top); click a frame to zoom into it, the root or "reset" to zoom out. */
function flame(box) {
	var own = {}, W = 1200, H = 17;
	arr(doc.functions).forEach(function (f) { own[obj(f).function] = 1; });
	var root = { name: 'all', v: 0, kids: new Map() };
	arr(doc.stacks).forEach(function (s) {
		var v = num(obj(s).samples), n = root;
		if (v <= 0) return;
		root.v += v;
		String(obj(s).stack || '').split(';').forEach(function (fr) {
			var k = n.kids.get(fr);
			if (!k) { k = { name: fr, v: 0, kids: new Map() }; n.kids.set(fr, k); }
			k.v += v;
			n = k;
		});
	});
	/* Flatten: name, value, x (in samples), depth, end of subtree, parent. */
	var nodes = [], maxDepth = 0;
	(function walk(n, x, d, parent) {
		var me = nodes.length;
		nodes.push({ name: n.name, v: n.v, x: x, d: d, end: 0, p: parent });
		maxDepth = Math.max(maxDepth, d);
		Array.from(n.kids.values()).sort(function (a, b) { return b.v - a.v; }).forEach(function (k) {
			walk(k, x, d + 1, me);
			x += k.v;
		});
		nodes[me].end = nodes.length;
		n.kids = null;
	})(root, 0, 0, -1);
	var zoom = 0, ms = num(obj(doc.totals).seconds) * 1000, total = root.v || 1;
	function color(name, i) {
		var h = 0;
		for (var c = 0; c < name.length; c++) h = (h * 31 + name.charCodeAt(c)) >>> 0;
		if (i === 0) return '#c9c9c9';
		if (own[name]) return 'hsl(' + (10 + h % 35) + ',85%,' + (58 + h % 12) + '%)';
		return 'hsl(' + (195 + h % 40) + ',35%,' + (70 + h % 12) + '%)';
	}
	function draw() {
		var z = nodes[zoom], scale = W / (z.v || 1), out = [], anc = {};
		for (var a = z.p; a >= 0; a = nodes[a].p) anc[a] = 1;
		for (var i = 0; i < nodes.length; i++) {
			var n = nodes[i], x, w;
			if (anc[i] || i === 0) { x = 0; w = W; }
			else if (i >= zoom && i < z.end) { x = (n.x - z.x) * scale; w = n.v * scale; }
			else { i = n.end - 1; continue; }	/* beside the zoomed frame */
			if (w < 0.5) { i = n.end - 1; continue; }
			var label = w > 30 ? esc(n.name.slice(0, Math.floor(w / 6.6))) : '';
			out.push('<g data-i="' + i + '"' + (anc[i] ? ' class="anc"' : '') + '><title>' + esc(n.name) + ': ' + int(n.v) + ' samples, ' +
				(100 * n.v / total).toFixed(2) + '%, ' + (ms * n.v / total).toFixed(1) + ' ms</title><rect x="' + x.toFixed(2) + '" y="' + n.d * H +
				'" width="' + w.toFixed(2) + '" height="' + (H - 1) + '" fill="' + color(n.name, i) + '"/>' +
				(label ? '<text x="' + (x + 3).toFixed(2) + '" y="' + (n.d * H + 12) + '">' + label + '</text>' : '') + '</g>');
		}
		box.innerHTML = root.v ? '<svg id="flame-svg" viewBox="0 0 ' + W + ' ' + (maxDepth + 1) * H + '" preserveAspectRatio="none" style="height:' +
			(maxDepth + 1) * H + 'px">' + out.join('') + '</svg>' : '<div class="note">no stacks in this window</div>';
		var info = document.getElementById('flame-zoom');
		if (info) info.textContent = zoom ? 'zoomed into ' + nodes[zoom].name + ' (' + (100 * nodes[zoom].v / total).toFixed(2) + '%)' : '';
	}
	box.addEventListener('click', function (e) {
		var g = e.target.closest('g[data-i]');
		if (!g) return;
		zoom = +g.getAttribute('data-i');
		draw();
	});
	flame.reset = function () { zoom = 0; draw(); };
	draw();
}

/* Functions, handlers and workers tables. */
function tables() {
	table(document.getElementById('functions-t'), [
		{ head: 'function', key: function (r) { return r.function || ''; }, cell: function (r) { return esc(r.function); } },
		{ head: 'file:line', key: function (r) { return base(r.file) + ':' + r.line; },
			cell: function (r) { return '<span title="' + esc(r.file) + '">' + esc(base(r.file) + ':' + r.line) + '</span>'; } },
		ncol('cpu %', 'cpu_pct', pct, 'n cpu'), { head: 'own / native / system', key: function (r) { return num(r.cpu_pct); }, cell: bar },
		ncol('own %', 'own_pct'), ncol('native %', 'native_pct'), ncol('system %', 'system_pct'), ncol('samples', 'samples', int)
	], arr(doc.functions).map(obj), { cap: 50 });
	table(document.getElementById('handlers-t'), [
		ncol('pkg_id', 'pkg_id', int), { head: 'name', key: function (r) { return r.name || ''; }, cell: function (r) { return esc(r.name); } },
		ncol('calls', 'calls', int), ncol('CPU ms/call', 'cpu_ms_per_call', function (v) { return fx(v, 3); }, 'n cpu'),
		ncol('CPU ms', 'cpu_ms', function (v) { return fx(v, 1); }), ncol('cpu %', 'cpu_pct'), ncol('samples', 'samples', int)
	], arr(doc.handlers).map(obj), { empty: 'no handler ran in this window' });
	table(document.getElementById('workers-t'), [
		ncol('slot', 'slot', int), ncol('index', 'index', int), ncol('pid', 'pid', String), ncol('samples', 'samples', int),
		ncol('dropped', 'dropped', int), ncol('user s', 'utime_seconds', function (v) { return fx(v, 2); }),
		ncol('system s', 'stime_seconds', function (v) { return fx(v, 2); }),
		ncol('sampler ms', 'sampler_seconds', function (v) { return fx(num(v) * 1000, 1); })
	], arr(doc.workers).map(obj), { empty: 'no worker sampled' });
	if (Array.isArray(doc.leaks)) generic('leaks', 'Leaks', doc.leaks);
}

/* A section for an array of objects this page has no layout for. */
function generic(id, title, rows) {
	rows = rows.map(obj);
	var keys = [];
	rows.forEach(function (r) { Object.keys(r).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); }); });
	var sec = el('section', { id: id }, '<h2>' + esc(title) + '</h2><div></div>');
	document.querySelector('main').appendChild(sec);
	table(sec.lastChild, keys.map(function (k) {
		return { head: k, key: function (r) { return typeof r[k] === 'number' ? r[k] : String(r[k]); },
			cell: function (r) { return esc(typeof r[k] === 'object' ? JSON.stringify(r[k]) : r[k]); } };
	}), rows);
}

/* The page skeleton, then each part. */
function build() {
	var app = document.getElementById('app');
	var w = obj(doc.window);
	app.innerHTML = '<header><h1>' + esc(doc.generator || 'hotline') + ' profile</h1><span>' + esc(doc.kind) + ' report, ' +
		esc(date(w.start)) + ', ' + fx(w.seconds, 1) + ' s, schema ' + esc(doc.schema_version) + '</span><nav>' +
		'<a href="#summary">summary</a><a href="#files">lines</a><a href="#flame-s">flame graph</a><a href="#functions">functions</a>' +
		'<a href="#handlers">handlers</a><a href="#workers">workers</a></nav></header><main>' +
		'<section id="summary">' + summary() + '</section>' +
		'<section id="hottest"><h2>Hottest lines</h2><div id="top-t"></div></section>' +
		'<section id="files"><h2>Files and lines</h2><div class="controls"><label><input type="checkbox" id="cold"> show cold lines ' +
		'(all source lines)</label><label>hot at &ge; <input type="number" id="thr" value="1" min="0" max="100" step="0.5" style="width:5em"> % CPU</label>' +
		'<span class="legend"><span><i class="own"></i>own</span><span><i class="native"></i>native</span><span><i class="system"></i>system</span></span></div><div id="files-l"></div></section>' +
		'<section id="flame-s"><h2>Flame graph</h2><div class="controls"><button id="flame-reset">reset zoom</button><span id="flame-zoom" class="mute"></span>' +
		'<span class="note">root at top, heaviest callee left; orange frames are hotline or module code; click to zoom</span></div><div id="flame"></div></section>' +
		'<section id="functions"><h2>Functions</h2><div id="functions-t"></div></section>' +
		'<section id="handlers"><h2>Handlers</h2><div id="handlers-t"></div></section>' +
		'<section id="workers"><h2>Workers</h2><div id="workers-t"></div></section></main>';
	topLines(document.getElementById('top-t'));
	files(document.getElementById('files-l'));
	flame(document.getElementById('flame'));
	tables();
	document.getElementById('cold').addEventListener('change', function (e) { state.cold = e.target.checked; files.redraw(); });
	document.getElementById('thr').addEventListener('change', function (e) {
		state.threshold = Math.max(0, num(parseFloat(e.target.value)));
		files.redraw();
	});
	document.getElementById('flame-reset').addEventListener('click', function () { flame.reset(); });
	document.getElementById('top-t').addEventListener('click', function (e) {
		var a = e.target.closest('a[data-goto]');
		if (a) { e.preventDefault(); files.open(a.getAttribute('data-goto')); }
	});
}

build();
})();
