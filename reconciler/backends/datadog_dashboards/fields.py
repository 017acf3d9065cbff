"""The fields Datadog's Dashboards API v1 names for a dashboard body's objects, so that `wac validate` can name
a misspelt one (Datadog drops a field it does not know, so a typo would never show). Only these objects' top
levels are held to it; whatever is deeper inside a widget (requests, queries, styles, …) passes through.

Generated from Datadog's published v1 OpenAPI, `components.schemas` (each object's `properties`; for widget
definitions, every `*WidgetDefinition` of `WidgetDefinition.oneOf`, by the values of its `type` enum), from the
copy in `tests/datadog_dashboards/openapi/datadog-v1-dashboards.yaml`. Do not edit it by hand; after updating that
copy, regenerate it with

    python -m tests.datadog_dashboards.test_dashboard_fields > reconciler/backends/datadog_dashboards/fields.py

and `tests/datadog_dashboards/test_dashboard_fields.py` fails whenever the two disagree. Every create Datadog accepted
in the recordings (`tests/datadog_dashboards/cassettes`) uses only fields named here; were a recording to use one the
spec does not name, the recording would win: it would be added (in that test's `RECORDED_BEYOND_SPEC`) and
named here with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final


def _names(names: str) -> frozenset[str]:
    return frozenset(names.split())


# `Dashboard`
DASHBOARD: Final = _names(
    "author_handle author_name created_at default_timeframe description id is_read_only layout_type modified_at"
    " notify_list reflow_type restricted_roles tabs tags template_variable_presets template_variables title url"
    " widgets"
)
# `DashboardTemplateVariable`
TEMPLATE_VARIABLE: Final = _names("available_values default defaults name prefix type")
# `DashboardTemplateVariablePreset`
TEMPLATE_VARIABLE_PRESET: Final = _names("name template_variables")
# `DashboardTemplateVariablePresetValue`
TEMPLATE_VARIABLE_PRESET_VALUE: Final = _names("name value values")
# `Widget`
WIDGET: Final = _names("definition id layout")
# Each widget type's definition: the `*WidgetDefinition` schemas whose `type` enum holds it.
WIDGET_DEFINITIONS: Final[Mapping[str, frozenset[str]]] = {
    "alert_graph": _names("alert_id description time title title_align title_size type viz_type"),
    "alert_value": _names("alert_id description precision text_align title title_align title_size type unit"),
    "bar_chart": _names("custom_links description requests style time title title_align title_size type"),
    "change": _names("custom_links description requests time title title_align title_size type"),
    "check_status": _names("check description group group_by grouping tags time title title_align title_size type"),
    "cohort": _names("description requests time title title_align title_size type"),
    "distribution": _names(
        "custom_links description legend_size markers requests show_legend time title title_align title_size type"
        " xaxis yaxis"
    ),
    "event_stream": _names("description event_size query tags_execution time title title_align title_size type"),
    "event_timeline": _names("description query tags_execution time title title_align title_size type"),
    "free_text": _names("background_color color font_size text text_align type"),
    "funnel": _names("description grouped_display requests time title title_align title_size type"),
    "geomap": _names("custom_links description requests style time title title_align title_size type view"),
    "group": _names("background_color banner_img layout_type show_title title title_align type widgets"),
    "heatmap": _names(
        "custom_links description events legend_size markers requests show_legend time title title_align title_size"
        " type xaxis yaxis"
    ),
    "hostmap": _names(
        "custom_links description group no_group_hosts no_metric_hosts node_type notes requests scope style title"
        " title_align title_size type"
    ),
    "iframe": _names("type url"),
    "image": _names("has_background has_border horizontal_align margin sizing type url url_dark_theme vertical_align"),
    "list_stream": _names("description legend_size requests show_legend time title title_align title_size type"),
    "log_stream": _names(
        "columns description indexes logset message_display query show_date_column show_message_column sort time"
        " title title_align title_size type"
    ),
    "manage_status": _names(
        "color_preference count description display_format hide_zero_counts query show_last_triggered show_priority"
        " sort start summary_type title title_align title_size type"
    ),
    "note": _names(
        "background_color content font_size has_padding show_tick text_align tick_edge tick_pos type vertical_align"
    ),
    "point_plot": _names(
        "custom_links description legend markers requests time title title_align title_size type yaxis"
    ),
    "powerpack": _names("background_color banner_img powerpack_id show_title template_variables title type"),
    "query_table": _names("custom_links description has_search_bar requests time title title_align title_size type"),
    "query_value": _names(
        "autoscale custom_links custom_unit description precision requests text_align time timeseries_background"
        " title title_align title_size type"
    ),
    "retention_curve": _names("description requests time title title_align title_size type"),
    "run_workflow": _names("custom_links description inputs time title title_align title_size type workflow_id"),
    "sankey": _names("requests show_other_links sort_nodes time title title_align title_size type"),
    "scatterplot": _names(
        "color_by_groups custom_links description requests time title title_align title_size type xaxis yaxis"
    ),
    "servicemap": _names("custom_links description filters service title title_align title_size type"),
    "slo": _names(
        "additional_query_filters description global_time_target show_error_budget slo_id time_windows title"
        " title_align title_size type view_mode view_type"
    ),
    "slo_list": _names("description requests title title_align title_size type"),
    "split_group": _names("has_uniform_y_axes size source_widget_definition split_config time title type"),
    "sunburst": _names("custom_links description hide_total legend requests time title title_align title_size type"),
    "timeseries": _names(
        "custom_links description events legend_columns legend_layout legend_size markers requests right_yaxis"
        " show_legend time title title_align title_size type yaxis"
    ),
    "toplist": _names("custom_links description requests style time title title_align title_size type"),
    "topology_map": _names("custom_links description requests time title title_align title_size type"),
    "trace_service": _names(
        "description display_format env service show_breakdown show_distribution show_errors show_hits show_latency"
        " show_resource_list size_format span_name time title title_align title_size type"
    ),
    "treemap": _names("color_by custom_links description group_by requests size_by time title type"),
    "wildcard": _names("custom_links requests specification time title title_align title_size type"),
}
