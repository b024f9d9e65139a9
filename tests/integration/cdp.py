"""A small Chrome DevTools Protocol driver for the HTML report's browser
tests: start headless Chromium on a private profile with a debugging port
the kernel picks, open one page, evaluate JavaScript, click at a point the
way a mouse does (Input.dispatchMouseEvent), take screenshots, and collect
every console message, uncaught exception and log entry (CSP violations
arrive there). Uses python3-websockets, already a test dependency; no
network beyond the loopback debugging port.
"""
import asyncio
import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

import websockets

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0"]


class Browser:
    """One Chromium with one page. Use as `async with Browser(...) as b`."""

    def __init__(self, chromium, width=1400, height=1000, workdir=None):
        self.chromium = chromium
        self.width, self.height = width, height
        self.profile = tempfile.mkdtemp(prefix="chrome.", dir=workdir)
        self.proc = self.ws = None
        self.next_id = 0
        self.pending = {}
        self.events = []
        self.messages = []      # console, exceptions, log entries
        self.reader = None

    async def __aenter__(self):
        self.proc = subprocess.Popen(
            [self.chromium] + FLAGS + ["--user-data-dir=" + self.profile,
                                       "--window-size=%d,%d" % (self.width, self.height),
                                       "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)     # its own group: renderers go with it
        port = self._port(30)
        with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port, timeout=10) as r:
            pages = [t for t in json.load(r) if t.get("type") == "page"]
        self.ws = await websockets.connect(pages[0]["webSocketDebuggerUrl"], max_size=64 << 20)
        self.reader = asyncio.ensure_future(self._read())
        for domain in ("Page", "Runtime", "Log"):
            await self.send(domain + ".enable")
        await self.send("Emulation.setDeviceMetricsOverride", width=self.width,
                        height=self.height, deviceScaleFactor=1, mobile=False)
        return self

    async def __aexit__(self, *exc):
        if self.reader:
            self.reader.cancel()
        if self.ws:
            await self.ws.close()
        if self.proc:
            self._signal_group(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def _signal_group(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def _port(self, timeout):
        """The port Chromium wrote to DevToolsActivePort in its profile."""
        path = os.path.join(self.profile, "DevToolsActivePort")
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("chromium exited with %d" % self.proc.returncode)
            try:
                with open(path) as f:
                    first = f.readline().strip()
                if first:
                    return int(first)
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        raise RuntimeError("chromium did not open its debugging port")

    async def _read(self):
        async for raw in self.ws:
            m = json.loads(raw)
            if "id" in m:
                fut = self.pending.pop(m["id"], None)
                if fut and not fut.done():
                    fut.set_result(m)
                continue
            self.events.append(m)
            method, p = m.get("method"), m.get("params", {})
            if method == "Runtime.consoleAPICalled":
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                self.messages.append("console.%s: %s" % (p.get("type"), text))
            elif method == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                self.messages.append("exception: %s %s" % (
                    d.get("text", ""), d.get("exception", {}).get("description", "")))
            elif method == "Log.entryAdded":
                e = p.get("entry", {})
                self.messages.append("log.%s (%s): %s" % (e.get("level"), e.get("source"), e.get("text")))

    async def send(self, method, **params):
        self.next_id += 1
        fut = asyncio.get_event_loop().create_future()
        self.pending[self.next_id] = fut
        await self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        m = await asyncio.wait_for(fut, 60)
        if "error" in m:
            raise RuntimeError("%s: %s" % (method, m["error"]))
        return m.get("result", {})

    async def open(self, url, settle=0.5):
        """Navigate and wait for the load event, then let scripts settle."""
        n = len(self.events)
        await self.send("Page.navigate", url=url)
        end = time.time() + 60
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events[n:]):
            if time.time() > end:
                raise RuntimeError("page did not load: " + url)
            await asyncio.sleep(0.05)
        await asyncio.sleep(settle)

    async def js(self, expr):
        """The value of a JavaScript expression (returned by value)."""
        r = await self.send("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError("evaluate: %s" % r["exceptionDetails"].get("exception", {}).get("description"))
        return r.get("result", {}).get("value")

    async def click(self, x, y):
        """A left click at viewport coordinates, as a mouse makes it."""
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            await self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y,
                            button="left" if kind != "mouseMoved" else "none", clickCount=1)
        await asyncio.sleep(0.2)

    async def click_selector(self, selector):
        """Scroll the first element matching selector into view and click
        its centre; returns False when nothing matches."""
        r = await self.js("""(function () {
            var e = document.querySelector(%s);
            if (!e) return null;
            e.scrollIntoView({block: 'center'});
            var b = e.getBoundingClientRect();
            return [b.left + b.width / 2, b.top + b.height / 2];
        })()""" % json.dumps(selector))
        if not r:
            return False
        await self.click(r[0], r[1])
        return True

    async def screenshot(self, path, full=False):
        """Save a PNG of the viewport, or of the whole page."""
        params = {"format": "png"}
        if full:
            h = await self.js("document.documentElement.scrollHeight")
            params.update(captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": self.width, "height": min(int(h), 12000), "scale": 1})
        r = await self.send("Page.captureScreenshot", **params)
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))
