"""Consumers read events tolerantly: a field added by a newer producer (a non-breaking change by the
versioning policy) is dropped, at any nesting level, instead of dead-lettering the event; producers stay strict."""

import copy

import pytest
from marshmallow import ValidationError

from enforcement_contracts.event_examples import example_data
from enforcement_contracts.events import REGISTRY, all_event_types


def test_every_event_loads_with_an_unknown_top_level_field():
    for event_type in all_event_types():
        data = example_data(event_type)
        data["field_from_a_newer_version"] = "x"
        loaded = event_type.load(data)
        assert "field_from_a_newer_version" not in loaded, event_type.type


def test_unknown_field_inside_a_nested_list_is_dropped():
    event_type = REGISTRY["cases.benchmark.filed"]
    data = example_data(event_type)
    nested_name = next(
        name for name, value in data.items() if isinstance(value, list) and value and isinstance(value[0], dict)
    )
    newer = copy.deepcopy(data)
    newer[nested_name][0]["added_later"] = 1
    loaded = event_type.load(newer)
    assert all("added_later" not in row for row in loaded[nested_name])
    assert len(loaded[nested_name]) == len(data[nested_name])


def test_producers_still_refuse_unknown_fields():
    event_type = REGISTRY["cases.benchmark.filed"]
    data = example_data(event_type)
    data["not_in_the_contract"] = True
    with pytest.raises(ValidationError) as error:
        event_type.dump(data)
    assert "not_in_the_contract" in error.value.messages


def test_missing_required_field_is_still_refused():
    event_type = REGISTRY["cases.benchmark.filed"]
    data = example_data(event_type)
    required = next(name for name, field in event_type.schema().fields.items() if field.required)
    del data[required]
    with pytest.raises(ValidationError):
        event_type.load(data)
