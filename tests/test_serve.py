"""How `streamlit run app.py` serves by default (.streamlit/config.toml), on a real server:

- it listens on the loopback address only (issue 12 §11: it listened on every interface, so
  anyone on the LAN saw the bids while README says local use needs no password); serving a
  team is a deliberate step (docs/app.md, "Serving a team");
- the toolbar is in viewer mode: no "Deploy" button, no developer options (issue 12 §18).
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlparse

from live_server import Client, listening_addresses, websocket_handshake
from streamlit.proto.NewSession_pb2 import Config


def test_streamlit_run_listens_on_the_loopback_address_only(servers):
    base, _ = servers.start(address=None)  # no --server.address: the project's config decides
    assert listening_addresses(urlparse(base).port) == {"127.0.0.1"}


def test_the_toolbar_has_no_deploy_button_nor_developer_options(servers):
    base, _ = servers.start()

    async def session_config():
        async with Client(base) as client:
            await client.run()
            return client.config

    assert Config.ToolbarMode.Name(asyncio.run(session_config()).toolbar_mode) == "VIEWER"



def test_a_page_elsewhere_cannot_reach_the_app_through_a_rebound_host_name(servers):
    """DNS rebinding: a web page at rebound.example whose name is made to resolve to 127.0.0.1
    would be same-origin with the app and could read it; the websocket is refused unless its
    Host is localhost or 127.0.0.1 (server.allowedHosts)."""
    base, _ = servers.start()
    port = urlparse(base).port
    assert websocket_handshake(base, f"127.0.0.1:{port}") == 101
    assert websocket_handshake(base, f"localhost:{port}") == 101
    assert websocket_handshake(base, f"rebound.example:{port}") == 403
