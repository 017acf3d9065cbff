"""Datadog's official `DashboardListsApi` (v1 lists, v2 items) works unchanged against `wac emulator`."""

from __future__ import annotations

from pathlib import Path

import pytest
from datadog_api_client import ApiClient
from datadog_api_client.exceptions import NotFoundException
from datadog_api_client.v1.api.dashboard_lists_api import DashboardListsApi as ListsV1
from datadog_api_client.v1.api.dashboards_api import DashboardsApi
from datadog_api_client.v1.model.dashboard import Dashboard
from datadog_api_client.v1.model.dashboard_layout_type import DashboardLayoutType
from datadog_api_client.v1.model.dashboard_list import DashboardList
from datadog_api_client.v1.model.note_widget_definition import NoteWidgetDefinition
from datadog_api_client.v1.model.note_widget_definition_type import NoteWidgetDefinitionType
from datadog_api_client.v1.model.widget import Widget
from datadog_api_client.v2.api.dashboard_lists_api import DashboardListsApi as ListsV2
from datadog_api_client.v2.model.dashboard_list_add_items_request import DashboardListAddItemsRequest
from datadog_api_client.v2.model.dashboard_list_delete_items_request import DashboardListDeleteItemsRequest
from datadog_api_client.v2.model.dashboard_list_item_request import DashboardListItemRequest
from datadog_api_client.v2.model.dashboard_list_update_items_request import DashboardListUpdateItemsRequest
from datadog_api_client.v2.model.dashboard_type import DashboardType

from reconciler.backends.emulator_server import emulator_thread
from tests.datadog_widgets.test_official_client import configuration


def _dashboard(api: DashboardsApi, title: str, layout: DashboardLayoutType) -> str:
    note = NoteWidgetDefinition(content="Runbook", type=NoteWidgetDefinitionType.NOTE)
    return str(
        api.create_dashboard(body=Dashboard(title=title, layout_type=layout, widgets=[Widget(definition=note)])).id
    )


def test_lists_create_get_list_update_delete() -> None:
    with emulator_thread() as server, ApiClient(configuration(server.url)) as client:
        api = ListsV1(client)
        made = api.create_dashboard_list(body=DashboardList(name="Checkout"))
        assert isinstance(made.id, int) and made.dashboard_count == 0 and made.author.handle
        assert api.get_dashboard_list(list_id=made.id).name == "Checkout"
        other = api.create_dashboard_list(body=DashboardList(name="Payments"))
        listed = api.list_dashboard_lists().dashboard_lists
        assert [x.id for x in listed] == [other.id, made.id], "every list, newest first"
        renamed = api.update_dashboard_list(list_id=made.id, body=DashboardList(name="Checkout team"))
        assert renamed.name == "Checkout team" and renamed.created == made.created
        assert api.delete_dashboard_list(list_id=made.id).deleted_dashboard_list_id == made.id
        with pytest.raises(NotFoundException):
            api.get_dashboard_list(list_id=made.id)


def test_items_get_add_replace_remove(tmp_path: Path) -> None:
    # One state file, as `wac emulator` keeps: the items answer reads each dashboard's title from it.
    with emulator_thread(tmp_path / "state.sqlite3") as server, ApiClient(configuration(server.url)) as client:
        boards = DashboardsApi(client)
        timeboard = _dashboard(boards, "Orders", DashboardLayoutType.ORDERED)
        screenboard = _dashboard(boards, "Map", DashboardLayoutType.FREE)
        list_id = ListsV1(client).create_dashboard_list(body=DashboardList(name="Checkout")).id
        api = ListsV2(client)
        assert api.get_dashboard_list_items(dashboard_list_id=list_id).total == 0
        added = api.create_dashboard_list_items(
            dashboard_list_id=list_id,
            body=DashboardListAddItemsRequest(
                dashboards=[DashboardListItemRequest(id=timeboard, type=DashboardType.CUSTOM_TIMEBOARD)]
            ),
        )
        assert [d.id for d in added.added_dashboards_to_list] == [timeboard]
        items = api.get_dashboard_list_items(dashboard_list_id=list_id)
        assert items.total == 1 and items.dashboards[0].title == "Orders", "the dashboard's own title"
        replaced = api.update_dashboard_list_items(
            dashboard_list_id=list_id,
            body=DashboardListUpdateItemsRequest(
                dashboards=[DashboardListItemRequest(id=screenboard, type=DashboardType.CUSTOM_SCREENBOARD)]
            ),
        )
        assert [d.id for d in replaced.dashboards] == [screenboard]
        assert ListsV1(client).get_dashboard_list(list_id=list_id).dashboard_count == 1
        removed = api.delete_dashboard_list_items(
            dashboard_list_id=list_id,
            body=DashboardListDeleteItemsRequest(
                dashboards=[DashboardListItemRequest(id=screenboard, type=DashboardType.CUSTOM_SCREENBOARD)]
            ),
        )
        assert [d.id for d in removed.deleted_dashboards_from_list] == [screenboard]
        assert api.get_dashboard_list_items(dashboard_list_id=list_id).dashboards == []
        with pytest.raises(NotFoundException):
            api.get_dashboard_list_items(dashboard_list_id=999_999)
