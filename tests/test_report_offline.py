"""The PDF report's charts are drawn without the network.

kaleido drives a headless Chromium, a separate process that `tests/test_confidentiality.py`'s
in-process guard cannot see. Left to its defaults that browser looks up Google and DuckDuckGo
hosts at start-up (account list, component updates, search preconnect, network time). The report
starts it offline (`reports.render.OFFLINE_FLAGS`: background services off, every host name
resolved to "not found", every request sent to a closed port on the loopback).

- The whole report, charts included, is built in a subprocess whose Python sockets are refused
  (the confidentiality guard) and whose every process — Chromium and its children included —
  is traced with ``strace -f -yy -e trace=network,write,writev``: no TCP connection to, and no
  data sent to, an address outside the machine; and the PDF still has its charts. Skipped when
  strace, Chromium or kaleido is missing (``.ci/run`` installs them).
- The browser's command line carries the offline flags (no browser started, no strace needed).
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
import shutil
import subprocess
import sys

import pytest
from pypdf import PdfReader

from reports import render as report_render

from conftest import ROOT

CAN_DRAW = report_render.find_browser() is not None and importlib.util.find_spec("kaleido") is not None

GUARDED_REPORT = r'''
import socket, sys
def refuse(name):
    def _refuse(*args, **kwargs):
        print(f"python socket: {name}{args!r}", file=sys.stderr)
        raise OSError("network blocked by the test: " + name)
    return _refuse
for owner, name in [(socket.socket, "connect"), (socket.socket, "connect_ex"), (socket.socket, "sendto"),
                    (socket, "create_connection"), (socket, "getaddrinfo"), (socket, "gethostbyname")]:
    setattr(owner, name, refuse(name))
from reports.pdf import build_report
from scoring import EXAMPLE_TENDER, evaluate, load_tender
build_report(evaluate(load_tender(EXAMPLE_TENDER)), sys.argv[1])
'''

# strace -yy writes each socket descriptor with its protocol and ends, e.g.
# sendto(20<UDP:[192.0.2.2:4567->10.255.255.53:53]>, …) for a DNS query to a resolver.
CALL = re.compile(r"^\d+\s+(connect|sendto|sendmsg|sendmmsg|write|writev)\(\d+<(\w+):\[(.*?)\]>[,)]")
PEER = re.compile(r"->\[?([0-9a-fA-F.:]+?)\]?:\d+$")
TARGET = re.compile(r'(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")')


def _outside(text: str | None) -> bool:
    if not text:
        return False
    address = ipaddress.ip_address(text)
    mapped = getattr(address, "ipv4_mapped", None)
    return not (address.is_loopback or address.is_unspecified or (mapped is not None and mapped.is_loopback))


def outside_traffic(trace: str) -> list[str]:
    """The traced calls (``strace -f -yy -e trace=network,write,writev``) that reach a host
    other than this machine: a TCP connection to it, or any data sent to it (a DNS query, a
    datagram). The loopback is this machine (the offline browser's proxy is a closed port on
    127.0.0.1). A datagram socket connected to an outside address that sends nothing is no
    traffic: that is how Chromium's resolver checks for an IPv6 route (connect, read the local
    address, close), which every request to its resolver starts and no flag turns off."""
    out = []
    for line in trace.splitlines():
        m = CALL.search(line)
        if not m:
            continue
        call, protocol, ends = m.groups()
        target = TARGET.search(line)
        explicit = (target.group(1) or target.group(2)) if target else None
        if call == "connect":
            outside = _outside(explicit) and not protocol.startswith("UDP")
        else:
            peer = PEER.search(ends)
            outside = _outside(explicit) or (peer is not None and _outside(peer.group(1)))
        if outside:
            out.append(line.strip()[:200])
    return out


def test_outside_traffic_reads_strace_lines():
    """The parser finds what the browser does without the offline flags — a DNS query to the
    resolver, a TCP connection — and lets the loopback and the data-less IPv6 route check pass."""
    trace = "\n".join([
        '7477  connect(27<UDP:[51234]>, {sa_family=AF_INET, sin_port=htons(53), '
        'sin_addr=inet_addr("10.255.255.53")}, 16) = 0',
        '7477  sendto(27<UDP:[192.0.2.2:51234->10.255.255.53:53]>, "\\22\\64\\1\\0", 40, MSG_NOSIGNAL, NULL, 0) = 40',
        '7477  connect(30<TCP:[4411]>, {sa_family=AF_INET, sin_port=htons(443), '
        'sin_addr=inet_addr("142.250.74.46")}, 16) = -1 EINPROGRESS (Operation now in progress)',
        '7477  sendmmsg(22<UDPv6:[[fd00::2]:4000->[2001:db8::53]:53]>, [{msg_hdr={}}], 2, 0) = 2',
        '7400  connect(9<TCP:[4412]>, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("127.0.0.1")}, 16) = -1',
        '7400  connect(21<UDPv6:[33871]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), '
        'inet_pton(AF_INET6, "2001:4860:4860::8888", &sin6_addr), sin6_scope_id=0}, 28) = 0',
        '7400  write(5<UNIX:[1234->1235]>, "x", 1) = 1',
        '7400  sendto(8<UDP:[127.0.0.1:5000->127.0.0.1:6000]>, "x", 1, 0, NULL, 0) = 1',
    ])
    found = outside_traffic(trace)
    assert len(found) == 3, found
    assert "10.255.255.53:53" in found[0] and "142.250.74.46" in found[1] and "2001:db8::53" in found[2]


@pytest.mark.skipif(not CAN_DRAW, reason="Debian's chromium or kaleido is not installed (.ci/run installs chromium)")
@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed (.ci/run installs it)")
def test_report_with_charts_sends_nothing_off_the_machine(tmp_path):
    runner, out, trace = tmp_path / "report.py", tmp_path / "report.pdf", tmp_path / "trace.txt"
    runner.write_text(GUARDED_REPORT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(["strace", "-f", "-qq", "-yy", "-e", "trace=network,write,writev", "-o", str(trace),
                           sys.executable, str(runner), str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and "ptrace" in proc.stderr.lower():
        pytest.skip(f"strace cannot trace here: {proc.stderr.strip()[:200]}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "python socket:" not in proc.stderr, proc.stderr[-2000:]
    assert outside_traffic(trace.read_text(errors="replace")) == []
    reader = PdfReader(out)
    assert sum(len(page.images) for page in reader.pages) >= 3, "the charts are still drawn"
    assert "Charts skipped" not in reader.pages[0].extract_text()


def test_browser_is_started_offline(tmp_path):
    """The command line kaleido starts Chromium with carries the offline flags, whatever the
    browser (none is started here)."""
    pytest.importorskip("kaleido")
    from choreographer.channels import Pipe

    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    browser = report_render.offline_browser_class()(Pipe(), str(fake))
    browser.pre_open()
    try:
        cli = list(browser.get_cli())
    finally:
        browser.clean()
    assert cli[-len(report_render.OFFLINE_FLAGS):] == list(report_render.OFFLINE_FLAGS)  # last: they win over defaults
    for flag in ("--disable-background-networking", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                 "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"):
        assert flag in cli
