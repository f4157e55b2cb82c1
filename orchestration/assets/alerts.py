"""Alerts delivery after each build: new rows of `marts.alerts` to the log and the configured webhook."""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    ConfigurableResource,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.alerts import deliver_alerts
from orchestration.resources import WarehouseResource

WEBHOOK_URL_ENV = "CX_ALERTS_WEBHOOK_URL"


class AlertWebhookResource(ConfigurableResource):
    """Where alerts are posted as JSON; no URL = the log only."""

    url: str | None = None


@asset(
    key=["publish", "alerts_delivery"],
    group_name="publish",
    deps=[AssetKey("alerts")],
    owners=["team:data-engineering"],
    pool="warehouse",
    description=(
        "Delivers the rows of `marts.alerts` not delivered before: each to the `cx.alerts` log and, when "
        f"{WEBHOOK_URL_ENV} is set, to that webhook as JSON (retried with backoff; each alert sent once; "
        "keys, types and counts only)."
    ),
)
def alerts_delivery(
    context: AssetExecutionContext, warehouse: WarehouseResource, alert_webhook: AlertWebhookResource
) -> MaterializeResult:
    with warehouse.connect() as con:
        summary = deliver_alerts(con, alert_webhook.url)
    context.log.info(f"Delivered {summary['delivered']} new alert(s) to {alert_webhook.url or 'the log'}")
    return MaterializeResult(metadata={**summary, "target": MetadataValue.text(alert_webhook.url or "log")})
