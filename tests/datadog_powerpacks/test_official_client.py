"""Datadog's official `PowerpackApi` works unchanged against `wac emulator`'s powerpacks."""

from __future__ import annotations

import pytest
from datadog_api_client import ApiClient
from datadog_api_client.exceptions import NotFoundException
from datadog_api_client.v2.api.powerpack_api import PowerpackApi
from datadog_api_client.v2.model.powerpack import Powerpack
from datadog_api_client.v2.model.powerpack_attributes import PowerpackAttributes
from datadog_api_client.v2.model.powerpack_data import PowerpackData
from datadog_api_client.v2.model.powerpack_group_widget import PowerpackGroupWidget
from datadog_api_client.v2.model.powerpack_group_widget_definition import PowerpackGroupWidgetDefinition
from datadog_api_client.v2.model.powerpack_group_widget_layout import PowerpackGroupWidgetLayout
from datadog_api_client.v2.model.powerpack_inner_widgets import PowerpackInnerWidgets
from datadog_api_client.v2.model.powerpack_template_variable import PowerpackTemplateVariable
from datadog_api_client.v2.model.widget_live_span import WidgetLiveSpan

from reconciler.backends.emulator_server import emulator_thread
from tests.datadog_widgets.test_official_client import configuration


def powerpack(name: str) -> Powerpack:
    group = PowerpackGroupWidget(
        definition=PowerpackGroupWidgetDefinition(
            layout_type="ordered",
            show_title=True,
            title=name,
            type="group",
            widgets=[PowerpackInnerWidgets(definition={"type": "note", "content": "Runbook"})],
        ),
        layout=PowerpackGroupWidgetLayout(height=3, width=12, x=0, y=0),
        live_span=WidgetLiveSpan.PAST_ONE_HOUR,
    )
    attributes = PowerpackAttributes(
        name=name,
        description="Latency of a service",
        group_widget=group,
        tags=["tag:sample"],
        template_variables=[PowerpackTemplateVariable(name="service", defaults=["*"])],
    )
    return Powerpack(data=PowerpackData(attributes=attributes, type="powerpack"))


def test_create_get_list_update_delete() -> None:
    with emulator_thread() as server, ApiClient(configuration(server.url)) as client:
        api = PowerpackApi(client)
        made = [api.create_powerpack(body=powerpack(f"Latency {n}")).data for n in range(5)]
        first = made[0]
        assert first.id and first.attributes.group_widget.definition.widgets[0]
        assert first.relationships.author.data.id
        got = api.get_powerpack(powerpack_id=first.id)
        assert got.data.attributes.name == "Latency 0" and got.included[0].id == first.relationships.author.data.id
        listed = list(api.list_powerpacks_with_pagination(page_limit=2))
        assert sorted(p.id for p in listed) == sorted(p.id for p in made), "every page read"
        page = api.list_powerpacks(page_limit=2, page_offset=2)
        assert [p.id for p in page.data] == [p.id for p in made[2:4]]
        assert page.meta.pagination.offset == 2 and page.meta.pagination.next_offset == 4
        updated = api.update_powerpack(powerpack_id=first.id, body=powerpack("Latency (p99)"))
        assert updated.data.attributes.name == "Latency (p99)" and updated.data.id == first.id
        api.delete_powerpack(powerpack_id=first.id)
        with pytest.raises(NotFoundException):
            api.get_powerpack(powerpack_id=first.id)
        with pytest.raises(NotFoundException):
            api.update_powerpack(powerpack_id=first.id, body=powerpack("Gone"))
