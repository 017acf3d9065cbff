"""Contract: Datadog's official Python client works against the emulator unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest
from datadog_api_client import ApiClient, Configuration
from datadog_api_client.exceptions import ApiException, ForbiddenException, NotFoundException
from datadog_api_client.v2.api.widgets_api import WidgetsApi
from datadog_api_client.v2.model.create_or_update_widget_request import CreateOrUpdateWidgetRequest
from datadog_api_client.v2.model.create_or_update_widget_request_attributes import (
    CreateOrUpdateWidgetRequestAttributes,
)
from datadog_api_client.v2.model.create_or_update_widget_request_data import (
    CreateOrUpdateWidgetRequestData,
)
from datadog_api_client.v2.model.widget_definition import WidgetDefinition
from datadog_api_client.v2.model.widget_experience_type import WidgetExperienceType
from datadog_api_client.v2.model.widget_type import WidgetType

from reconciler.backends.emulation.settings import EmulatorSettings
from reconciler.backends.emulator_server import RunningEmulator, emulator_thread
from tests.conftest import ALICE

CCM = WidgetExperienceType.CCM_REPORTS


def request(title: str, widget_type: WidgetType, tags: list[str]) -> CreateOrUpdateWidgetRequest:
    definition = WidgetDefinition(title=title, type=widget_type, requests=[{"queries": [{"query": "sum:x{*}"}]}])
    return CreateOrUpdateWidgetRequest(
        data=CreateOrUpdateWidgetRequestData(
            attributes=CreateOrUpdateWidgetRequestAttributes(definition=definition, tags=tags), type="widgets"
        )
    )


def configuration(url: str, app_key: str = ALICE["DD-APPLICATION-KEY"]) -> Configuration:
    config = Configuration(host=url)
    config.api_key["apiKeyAuth"] = ALICE["DD-API-KEY"]
    config.api_key["appKeyAuth"] = app_key
    return config


@pytest.fixture()
def widgets_api(emulator: RunningEmulator) -> Iterator[WidgetsApi]:
    with ApiClient(configuration(emulator.url)) as client:
        yield WidgetsApi(client)


def test_official_client_full_lifecycle(widgets_api: WidgetsApi) -> None:
    created = widgets_api.create_widget(
        experience_type=CCM, body=request("AWS spend", WidgetType.BAR_CHART, ["team:finops"])
    )
    widget_id = UUID(created.data.id)  # the client types the path parameter as a UUID
    assert created.data.attributes.definition.title == "AWS spend"
    assert created.included[0].attributes.handle.endswith("@example.com")

    fetched = widgets_api.get_widget(experience_type=CCM, uuid=widget_id)
    assert fetched.data.attributes.tags == ["team:finops"]
    assert fetched.data.attributes.definition["requests"] == [{"queries": [{"query": "sum:x{*}"}]}]

    updated = widgets_api.update_widget(
        experience_type=CCM, uuid=widget_id, body=request("AWS spend by service", WidgetType.TOPLIST, ["team:finops"])
    )
    assert updated.data.attributes.definition.type == WidgetType.TOPLIST

    widgets_api.create_widget(experience_type=CCM, body=request("Other", WidgetType.TREEMAP, ["team:other"]))
    found = widgets_api.search_widgets(
        experience_type=CCM,
        filter_tags="[team:finops]",
        sort="-title",
        page_number=0,
        page_size=100,
        filter_widget_type=WidgetType.TOPLIST,
        filter_title="service",
        filter_is_favorited=False,
    )
    assert [w.id for w in found.data] == [str(widget_id)]
    assert found.meta.filtered_total == 1 and found.meta.created_by_anyone_total == 2

    widgets_api.delete_widget(experience_type=CCM, uuid=widget_id)
    with pytest.raises(NotFoundException):
        widgets_api.get_widget(experience_type=CCM, uuid=widget_id)
    assert widgets_api.search_widgets(experience_type=CCM).meta.filtered_total == 1


def test_official_client_sees_documented_errors(emulator: RunningEmulator, widgets_api: WidgetsApi) -> None:
    with pytest.raises(ApiException) as bad:
        widgets_api.search_widgets(experience_type=CCM, page_size=100, page_number=0, sort="owner")
    assert bad.value.status == 400
    settings = EmulatorSettings(options={"api_keys": frozenset({"some-other-api-key"})})
    with (
        emulator_thread(settings=settings) as strict,
        ApiClient(configuration(strict.url)) as client,
        pytest.raises(ForbiddenException) as refused,
    ):
        WidgetsApi(client).search_widgets(experience_type=CCM)
    assert refused.value.body == {"errors": ["Forbidden: the API key is not valid"]}
