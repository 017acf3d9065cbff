"""Datadog's official `DashboardsApi` works unchanged against `wac emulator`'s dashboards."""

from __future__ import annotations

import pytest
from datadog_api_client import ApiClient
from datadog_api_client.exceptions import NotFoundException
from datadog_api_client.v1.api.dashboards_api import DashboardsApi
from datadog_api_client.v1.model.dashboard import Dashboard
from datadog_api_client.v1.model.dashboard_bulk_action_data import DashboardBulkActionData
from datadog_api_client.v1.model.dashboard_bulk_action_data_list import DashboardBulkActionDataList
from datadog_api_client.v1.model.dashboard_bulk_delete_request import DashboardBulkDeleteRequest
from datadog_api_client.v1.model.dashboard_layout_type import DashboardLayoutType
from datadog_api_client.v1.model.dashboard_resource_type import DashboardResourceType
from datadog_api_client.v1.model.dashboard_restore_request import DashboardRestoreRequest
from datadog_api_client.v1.model.note_widget_definition import NoteWidgetDefinition
from datadog_api_client.v1.model.note_widget_definition_type import NoteWidgetDefinitionType
from datadog_api_client.v1.model.widget import Widget

from reconciler.backends.emulator_server import emulator_thread
from tests.datadog_widgets.test_official_client import configuration


def dashboard(title: str) -> Dashboard:
    note = NoteWidgetDefinition(content="Runbook: …", type=NoteWidgetDefinitionType.NOTE)
    return Dashboard(title=title, layout_type=DashboardLayoutType.ORDERED, widgets=[Widget(definition=note)])


def test_create_get_list_update_delete_bulk_delete_restore() -> None:
    with emulator_thread() as server, ApiClient(configuration(server.url)) as client:
        api = DashboardsApi(client)
        made = [api.create_dashboard(body=dashboard(f"Checkout {n}")) for n in range(5)]
        first = made[0]
        assert first.id and first.url.startswith(f"/dashboard/{first.id}/") and first.widgets[0].id
        assert api.get_dashboard(dashboard_id=first.id).title == "Checkout 0"
        listed = list(api.list_dashboards_with_pagination(count=2))
        assert sorted(d.id for d in listed) == sorted(d.id for d in made), "every page read"
        updated = api.update_dashboard(dashboard_id=first.id, body=dashboard("Checkout overview"))
        assert updated.title == "Checkout overview" and updated.created_at == first.created_at
        assert api.delete_dashboard(dashboard_id=first.id).deleted_dashboard_id == first.id
        with pytest.raises(NotFoundException):
            api.get_dashboard(dashboard_id=first.id)
        ids = [d.id for d in made[1:3]]
        data = DashboardBulkActionDataList(
            [DashboardBulkActionData(id=i, type=DashboardResourceType.DASHBOARD) for i in ids]
        )
        api.delete_dashboards(body=DashboardBulkDeleteRequest(data=data))
        deleted = {d.id for d in api.list_dashboards(filter_deleted=True).dashboards}
        assert deleted == {first.id, *ids}
        api.restore_dashboards(body=DashboardRestoreRequest(data=data))
        assert {d.id for d in api.list_dashboards().dashboards} == {d.id for d in made[1:]}


def test_shares_and_invitations_through_the_official_client() -> None:
    from datadog_api_client.v1.model.dashboard_global_time import DashboardGlobalTime
    from datadog_api_client.v1.model.dashboard_global_time_live_span import DashboardGlobalTimeLiveSpan
    from datadog_api_client.v1.model.dashboard_share_type import DashboardShareType
    from datadog_api_client.v1.model.dashboard_type import DashboardType
    from datadog_api_client.v1.model.shared_dashboard import SharedDashboard
    from datadog_api_client.v1.model.shared_dashboard_invites import SharedDashboardInvites
    from datadog_api_client.v1.model.shared_dashboard_invites_data_object import SharedDashboardInvitesDataObject
    from datadog_api_client.v1.model.shared_dashboard_invites_data_object_attributes import (
        SharedDashboardInvitesDataObjectAttributes,
    )
    from datadog_api_client.v1.model.shared_dashboard_update_request import SharedDashboardUpdateRequest
    from datadog_api_client.v1.model.shared_dashboard_update_request_global_time import (
        SharedDashboardUpdateRequestGlobalTime,
    )

    with emulator_thread() as server, ApiClient(configuration(server.url)) as client:
        api = DashboardsApi(client)
        board = api.create_dashboard(body=dashboard("Shared"))
        share = api.create_public_dashboard(
            body=SharedDashboard(
                dashboard_id=board.id,
                dashboard_type=DashboardType.CUSTOM_TIMEBOARD,
                share_type=DashboardShareType.INVITE,
                share_list=["ops@example.com"],
                global_time=DashboardGlobalTime(live_span=DashboardGlobalTimeLiveSpan.PAST_ONE_HOUR),
            )
        )
        assert share.token and share.public_url.endswith(share.token) and share.invitees[0].email == "ops@example.com"
        assert api.get_public_dashboard(token=share.token).dashboard_id == board.id
        invite = SharedDashboardInvites(
            data=SharedDashboardInvitesDataObject(
                attributes=SharedDashboardInvitesDataObjectAttributes(email="new@example.com"),
                type="public_dashboard_invitation",
            )
        )
        sent = api.send_public_dashboard_invitation(token=share.token, body=invite)
        assert sent.data.attributes.email == "new@example.com"
        invitations = api.get_public_dashboard_invitations(token=share.token, page_size=10, page_number=0)
        assert invitations.meta.page.total_count == 1
        api.delete_public_dashboard_invitation(token=share.token, body=invite)
        assert api.get_public_dashboard_invitations(token=share.token).meta.page.total_count == 0
        opened = api.update_public_dashboard(
            token=share.token,
            body=SharedDashboardUpdateRequest(
                share_type=DashboardShareType.OPEN,
                share_list=[],
                global_time=SharedDashboardUpdateRequestGlobalTime(
                    live_span=DashboardGlobalTimeLiveSpan.PAST_FIFTEEN_MINUTES
                ),
            ),
        )
        assert opened.share_type == DashboardShareType.OPEN and opened.invitees == []
        assert api.delete_public_dashboard(token=share.token).deleted_public_dashboard_token == share.token
        with pytest.raises(NotFoundException):
            api.get_public_dashboard(token=share.token)
        again = api.create_public_dashboard(
            body=SharedDashboard(dashboard_id=board.id, dashboard_type=DashboardType.CUSTOM_TIMEBOARD)
        )
        api.delete_dashboard(dashboard_id=board.id)
        with pytest.raises(NotFoundException):
            api.get_public_dashboard(token=again.token)  # deleting a dashboard ends its share
