"""Alert delivery to a webhook: JSON, retried with backoff, nothing personal, each alert sent once."""

import json
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import duckdb
import pytest

from orchestration.alerts import DeliveryError, deliver_alerts, post_json


class Webhook:
    """A local HTTP server that answers the queued status codes (then 200) and records every body."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.bodies = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                outer.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(outer.statuses.pop(0) if outer.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/alerts"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    servers = []

    def start(statuses=()):
        servers.append(Webhook(statuses))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def warehouse_with_alerts(count):
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.alerts as select 'A' || i as alert_id, 'negative_feedback' as alert_type, "
        "'high' as severity, 'acme' as client_id, 'voice' as channel, 'C' || i as interaction_id, "
        "'AG1' as agent_id, 'ck-secret-hash' as customer_key, "
        "timestamp '2026-11-02 10:00:00' + to_minutes(i) as occurred_at, 'CSAT 1/5' as detail "
        f"from range({count}) t(i)"
    )
    return con


def test_alerts_are_posted_as_json_without_customer_keys(webhook):
    server = webhook()
    con = warehouse_with_alerts(3)
    summary = deliver_alerts(con, server.url)
    assert summary["delivered"] == 3
    (body,) = server.bodies
    assert [alert["alert_id"] for alert in body["alerts"]] == ["A0", "A1", "A2"]
    assert body["alerts"][0]["occurred_at"] == "2026-11-02T10:00:00"
    assert "customer_key" not in json.dumps(body) and "ck-secret-hash" not in json.dumps(body)


def test_a_failed_delivery_is_retried_and_nothing_is_sent_twice(webhook):
    server = webhook(statuses=[503, 500])
    con = warehouse_with_alerts(2)
    deliver_alerts(con, server.url, post=lambda url, payload: post_json(url, payload, backoff_seconds=0.01))
    assert len(server.bodies) == 3  # two failures, then accepted
    assert deliver_alerts(con, server.url)["delivered"] == 0
    assert len(server.bodies) == 3
    con.execute(
        "insert into marts.alerts select 'A9', 'sla_breach', 'medium', 'acme', 'email', 'T9', null, null, "
        "timestamp '2026-11-03 00:00:00', 'first response late'"
    )
    deliver_alerts(con, server.url)
    assert [alert["alert_id"] for alert in server.bodies[-1]["alerts"]] == ["A9"]


def test_alerts_stay_pending_when_the_webhook_keeps_failing(webhook):
    server = webhook(statuses=[500] * 10)
    con = warehouse_with_alerts(1)
    with pytest.raises(DeliveryError, match="after 3 attempts"):
        deliver_alerts(
            con,
            server.url,
            post=lambda url, payload: post_json(url, payload, attempts=3, backoff_seconds=0.01),
        )
    assert con.execute("select count(*) from ops.alert_deliveries").fetchone() == (0,)


def test_a_client_error_is_not_retried(webhook):
    server = webhook(statuses=[400])
    con = warehouse_with_alerts(1)
    with pytest.raises(DeliveryError, match="HTTP 400"):
        deliver_alerts(con, server.url)
    assert len(server.bodies) == 1


def test_without_a_webhook_alerts_go_to_the_log_once(caplog):
    con = warehouse_with_alerts(2)
    with caplog.at_level("INFO"):
        assert deliver_alerts(con, None)["delivered"] == 2
    assert caplog.messages == ["alert negative_feedback [high] client=acme: CSAT 1/5"] * 2
    assert deliver_alerts(con, None)["delivered"] == 0


def test_only_alerts_built_after_the_last_complete_delivery_are_compared(webhook):
    con = warehouse_with_alerts(2)
    con.execute(
        "alter table marts.alerts add column _built_at timestamp default timestamp '2026-11-02 06:00:00'"
    )
    assert deliver_alerts(con, None)["delivered"] == 2
    assert con.execute("select built_at from ops.alert_delivery_watermark").fetchall() == [
        (datetime(2026, 11, 2, 6),)
    ]

    def add(alert_id, built_at):
        con.execute(
            f"insert into marts.alerts select '{alert_id}', 'sla_breach', 'medium', 'acme', 'email', 'T', null, "
            f"null, timestamp '2026-11-03 00:00:00', 'late', timestamp '{built_at}'"
        )

    # the next build's alert is delivered; a webhook failure leaves the watermark where it was…
    add("A9", "2026-11-03 06:00:00")
    server = webhook(statuses=[500] * 4)
    with pytest.raises(DeliveryError):
        deliver_alerts(
            con, server.url, post=lambda url, body: post_json(url, body, attempts=2, backoff_seconds=0)
        )
    assert con.execute("select max(built_at) from ops.alert_delivery_watermark").fetchone() == (
        datetime(2026, 11, 2, 6),
    )
    # …so the next run still delivers it, and then moves the watermark
    assert deliver_alerts(con, None)["delivered"] == 1
    assert con.execute("select max(built_at) from ops.alert_delivery_watermark").fetchone() == (
        datetime(2026, 11, 3, 6),
    )
    # rows built at or before the watermark are not compared again (every one of them was delivered)
    add("A-old", "2026-11-03 06:00:00")
    assert deliver_alerts(con, None)["delivered"] == 0


def test_deliveries_are_recorded_once_and_a_table_with_the_former_primary_key_is_rebuilt_without_it():
    con = warehouse_with_alerts(3)
    con.execute("create schema ops")
    con.execute(
        "create table ops.alert_deliveries "
        "(alert_id varchar primary key, delivered_at timestamp not null, target varchar not null)"
    )
    con.execute("insert into ops.alert_deliveries values ('A0', timestamp '2026-11-01 06:00:00', 'log')")
    assert deliver_alerts(con, None)["delivered"] == 2  # A0 was delivered before the upgrade
    assert deliver_alerts(con, None)["delivered"] == 0
    assert con.execute(
        "select alert_id, count(*) from ops.alert_deliveries group by 1 order by 1"
    ).fetchall() == [
        ("A0", 1),
        ("A1", 1),
        ("A2", 1),
    ]
    assert (
        con.execute(
            "select constraint_type from duckdb_constraints() where table_name = 'alert_deliveries' order by 1"
        ).fetchall()
        == [("NOT NULL",)] * 3
    )
