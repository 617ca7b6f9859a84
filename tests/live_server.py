"""A real `streamlit run app.py` for the tests that need the server itself (its upload
endpoint, the address it listens on, the settings it sends the browser), and a client
reduced to what Streamlit needs: the XSRF cookie, the websocket, script runs and uploads."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Servers:
    """Starts `streamlit run app.py` processes (output to a log file, no pipe) and stops them."""

    def __init__(self, folder: Path):
        self.folder, self.started = folder, []

    def start(self, secrets: str | None = None, address: str | None = "127.0.0.1") -> tuple[str, int]:
        """A server with the given secrets file text (None: no secrets file) on a free port,
        listening on `address` (None: whatever .streamlit/config.toml says); its base address
        (on 127.0.0.1) and process id, once it answers."""
        n = len(self.started)
        secrets_path = self.folder / f"secrets{n}.toml"
        if secrets is not None:
            secrets_path.write_text(secrets)
        port = free_port()
        args = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
                "--secrets.files", str(secrets_path)]
        if address is not None:
            args += ["--server.address", address]
        with open(self.folder / f"server{n}.log", "wb") as log:
            proc = subprocess.Popen(args, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        self.started.append(proc)
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if requests.get(f"{base}/_stcore/health", timeout=1).status_code == 200:
                    return base, proc.pid
            except requests.RequestException:
                pass
            if proc.poll() is not None:
                break
            time.sleep(0.3)
        pytest.fail(f"streamlit did not start: {(self.folder / f'server{n}.log').read_text()[-2000:]}")

    def stop(self) -> None:
        for proc in self.started:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class Client:
    """One browser session: `async with Client(base) as c: await c.run()`."""

    def __init__(self, base: str):
        self.base, self.http = base, requests.Session()
        self.http.get(f"{base}/_stcore/health").close()  # sets the XSRF cookie
        self.xsrf = self.http.cookies["_streamlit_xsrf"]
        self.session_id, self.config, self.widgets, self.texts = None, None, {}, []

    async def __aenter__(self):
        import websockets

        self.ws = await websockets.connect(
            self.base.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit", self.xsrf],
            additional_headers={"Cookie": f"_streamlit_xsrf={self.xsrf}", "Origin": self.base}, max_size=None)
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()
        self.http.close()

    async def run(self, widget_states=None) -> list[str]:
        """Run the script (as the browser's rerun request does); the texts it showed."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = ""
        if widget_states is not None:
            msg.rerun_script.widget_states.CopyFrom(widget_states)
        await self.ws.send(msg.SerializeToString())
        self.texts = []
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(self.ws.recv(), 60))
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.session_id = fwd.new_session.initialize.session_id
                self.config = fwd.new_session.config
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                inner = getattr(element, element.WhichOneof("type"))
                if getattr(inner, "id", ""):
                    self.widgets[element.WhichOneof("type")] = inner.id
                self.texts += [getattr(inner, field) for field in ("body", "label") if hasattr(inner, field)]
            elif kind == "script_finished":
                return self.texts

    async def enter_password(self, password: str) -> list[str]:
        """Type the password into the gate's form and submit it; what the page then shows."""
        from streamlit.proto.WidgetStates_pb2 import WidgetStates

        states = WidgetStates()
        text = states.widgets.add()
        text.id, text.string_value = self.widgets["text_input"], password
        button = states.widgets.add()
        button.id, button.trigger_value = self.widgets["button"], True
        await self.run(states)
        return await self.run()  # the gate reruns the script once the password is right

    def upload(self, megabytes: int) -> int:
        """PUT a file into this session's upload store, as a file_uploader does; the HTTP status
        (0: the server closed the connection while the body was being sent)."""
        try:
            with self.http.put(f"{self.base}/_stcore/upload_file/{self.session_id}/f{megabytes}",
                               files={"file": ("usage.csv", b"0" * (megabytes << 20))},
                               headers={"X-Xsrftoken": self.xsrf}, timeout=60) as answer:
                return answer.status_code
        except requests.ConnectionError:
            return 0


def rss_mb(pid: int) -> float:
    """The resident memory of a process, in MB."""
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


_METRICS_READ: dict[str, float] = {}


def stored_bytes(base: str) -> int:
    """The bytes in Streamlit's upload store (its metrics endpoint; no line when it is empty).
    The endpoint caches that figure for 5 s: wait until a previous reading has expired."""
    wait = _METRICS_READ.get(base, 0.0) + 5.5 - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    with requests.get(f"{base}/_stcore/metrics", timeout=10) as answer:
        metrics = answer.text
    _METRICS_READ[base] = time.monotonic()
    return sum(int(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
               if line.startswith('cache_memory_bytes{cache_type="UploadedFileManager"'))


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on a TCP port (Linux's /proc/net/tcp{,6})."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            with open(table) as rows:
                next(rows)
                for row in rows:
                    local, state = row.split()[1], row.split()[3]
                    address, hex_port = local.split(":")
                    if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                        raw = bytes.fromhex(address)
                        # the kernel prints each 32-bit word in host (little-endian) order
                        raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                        found.add(socket.inet_ntop(socket.AF_INET if width == 8 else socket.AF_INET6, raw))
        except FileNotFoundError:
            continue
    return found


def websocket_handshake(base: str, host: str) -> int:
    """The HTTP status of a websocket handshake on the app's stream with this Host header
    (101: accepted)."""
    import http.client
    from urllib.parse import urlparse

    address = urlparse(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.putrequest("GET", "/_stcore/stream", skip_host=True)
        for name, value in (("Host", host), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
                            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13"),
                            ("Sec-WebSocket-Protocol", "streamlit"), ("Origin", f"http://{host}")):
            connection.putheader(name, value)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()
