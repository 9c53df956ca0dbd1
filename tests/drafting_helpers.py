"""Helpers shared by the drafting tests: rules built through the services, and the parameters
form filled in as a browser would submit it."""

from datetime import date

from workbench.drafting import schema_forms as forms
from workbench.drafting import service
from workbench.drafting import template as templates
from workbench.registry import service as registry

from .conftest import ADMIN


def make_rule(session, *, name="水泥", name_en="Cement", end_use="intermediate", working_group=None, user_id=None):
    product = registry.find_product(session, name) or registry.create_product(
        session,
        registry.ProductInput(name=name, name_en=name_en or None, side="production", end_use=end_use),
        by=ADMIN,
    )
    return service.create_rule(session, product=product, working_group=working_group, by=ADMIN, today=date.today())


def form_data(document: dict, **overrides) -> dict:
    """The parameters form with `document`'s values, as a browser submits it; `overrides` maps
    JSON pointers to submitted values."""
    data: dict[str, object] = {}

    def add(field: forms.Field):
        if field.kind == "group":
            for child in field.children:
                add(child)
        elif field.kind == "checkboxes":
            data[field.path] = list(field.value or [])
        elif field.kind == "ordered":
            for position, value in enumerate(field.value or [], start=1):
                data[f"{field.path}#{position}"] = value
        elif field.kind == "boolean":
            if field.value:
                data[field.path] = "y"
        elif field.value is not None:
            data[field.path] = str(field.value)

    for field in forms.fields_for(templates.load().schema, document):
        add(field)
    data.update(overrides)
    return data
