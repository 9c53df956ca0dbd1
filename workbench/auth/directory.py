"""The people of the standards process: user accounts, organisations and working groups."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from workbench.auth import service
from workbench.auth.access import current_principal, require
from workbench.auth.forms import OrganisationForm, UserForm, WorkingGroupForm
from workbench.auth.models import Organisation, User, WorkingGroup
from workbench.auth.permissions import Action, Role
from workbench.db import db
from workbench.forms import ConfirmForm
from workbench.web import archive_from_form, form_page, page_number, save, text_arg

bp = Blueprint("directory", __name__)

PAGE_SIZE = 50


def _search(query, text: str, *columns):
    """Rows where any of `columns` contains `text`, case-insensitively, wildcards taken literally."""
    text = text.strip().lower()
    if not text:
        return query
    return query.where(or_(*(db.func.lower(column).contains(text, autoescape=True) for column in columns)))


def _show_archived() -> bool:
    return request.args.get("archived") == "1"


def _page(query):
    return db.paginate(query, page=page_number(), per_page=PAGE_SIZE)


def _archive(record, archived: bool, reason: str | None) -> None:
    service.set_archived(db.session, record, archived, by=current_principal(), reason=reason)


# --- users ----------------------------------------------------------------------------------------


def _user_form_choices(form: UserForm, user: User | None = None) -> None:
    """Active organisations and groups, plus archived ones the user already belongs to."""
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.archived_at.is_(None)).order_by(Organisation.name)
    ).all()
    if user is not None and user.organisation is not None and user.organisation not in organisations:
        organisations.append(user.organisation)
    form.organisation.choices = [SelectChoice(0, _("（无）"))] + [
        SelectChoice(org.id, org.name) for org in organisations
    ]

    groups = db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.archived_at.is_(None)).order_by(WorkingGroup.code)
    ).all()
    if user is not None:
        groups += [group for group in user.working_groups if group not in groups]
    form.working_groups.choices = [SelectChoice(group.id, f"{group.code} {group.name}") for group in groups]


def _chosen(form: UserForm):
    organisation = db.session.get(Organisation, form.organisation.data) if form.organisation.data else None
    groups = db.session.scalars(select(WorkingGroup).where(WorkingGroup.id.in_(form.working_groups.data or []))).all()
    return organisation, groups


def _user_saved():
    return {
        "message": lambda saved: _("账号“%(username)s”已保存。", username=saved.username),
        "redirect_to": lambda saved: url_for(".user", user_id=saved.id),
    }


@bp.get("/users")
def users():
    require(Action.VIEW_USERS)
    query = select(User).options(selectinload(User.organisation)).order_by(User.username)
    query = _search(query, text_arg("q"), User.username, User.display_name)
    role = request.args.get("role", "")
    if role in {member.value for member in Role}:
        query = query.where(User.role == Role(role))
    status = request.args.get("status", "active")
    if status in ("active", "inactive"):
        query = query.where(User.active.is_(status == "active"))
    return render_template("directory/users.html", page=_page(query), role=role, status=status)


@bp.get("/users/<id:user_id>")
def user(user_id: int):
    require(Action.VIEW_USERS)
    return render_template("directory/user.html", user=db.get_or_404(User, user_id))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    require(Action.MANAGE_USERS)
    form = UserForm()
    del form.active, form.reason, form.version
    _user_form_choices(form)

    def create():
        organisation, groups = _chosen(form)
        return service.create_user(
            db.session,
            by=current_principal(),
            username=form.username.data,
            display_name=form.display_name.data,
            password=form.password.data,
            role=form.role.data,
            email=form.email.data,
            organisation=organisation,
            working_groups=groups,
        )

    return save(
        form,
        create,
        message=lambda created: _("账号“%(username)s”已创建。", username=created.username),
        redirect_to=lambda created: url_for(".user", user_id=created.id),
    ) or form_page("directory/user_form.html", form, user=None)


@bp.route("/users/<id:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int):
    require(Action.MANAGE_USERS)
    user = db.get_or_404(User, user_id)
    if request.method == "GET":
        form = UserForm(
            data={
                "display_name": user.display_name,
                "email": user.email,
                "role": user.role.value,
                "organisation": user.organisation_id or 0,
                "active": user.active,
                "version": user.version,
                "working_groups": [group.id for group in user.working_groups],
            }
        )
    else:
        form = UserForm()
    del form.username
    form.password.label.text = _("设置新密码（留空则不修改）")
    _user_form_choices(form, user)

    def update():
        organisation, groups = _chosen(form)
        return service.update_user(
            db.session,
            user,
            by=current_principal(),
            display_name=form.display_name.data,
            email=form.email.data,
            role=form.role.data,
            organisation=organisation,
            working_groups=groups,
            active=form.active.data,
            new_password=form.password.data or None,
            reason=form.reason.data,
            expected_version=form.version.data,
        )

    return save(form, update, **_user_saved()) or form_page("directory/user_form.html", form, user=user)


# --- organisations --------------------------------------------------------------------------------


def _organisation_saved(verb_message: str):
    return {
        "message": lambda organisation: verb_message % {"name": organisation.name},
        "redirect_to": lambda organisation: url_for(".organisation", organisation_id=organisation.id),
    }


@bp.get("/organisations")
def organisations():
    require(Action.VIEW_DIRECTORY)
    query = (
        select(Organisation).options(selectinload(Organisation.users)).order_by(Organisation.kind, Organisation.name)
    )
    query = _search(query, text_arg("q"), Organisation.name, Organisation.name_en)
    if not _show_archived():
        query = query.where(Organisation.archived_at.is_(None))
    return render_template("directory/organisations.html", page=_page(query), show_archived=_show_archived())


@bp.get("/organisations/<id:organisation_id>")
def organisation(organisation_id: int):
    require(Action.VIEW_DIRECTORY)
    record = db.get_or_404(Organisation, organisation_id)
    return render_template("directory/organisation.html", organisation=record, confirm_form=ConfirmForm(formdata=None))


@bp.route("/organisations/new", methods=["GET", "POST"])
def new_organisation():
    require(Action.MANAGE_ORGANISATIONS)
    form = OrganisationForm()
    del form.reason, form.version
    return save(
        form,
        lambda: service.create_organisation(
            db.session, by=current_principal(), name=form.name.data, name_en=form.name_en.data, kind=form.kind.data
        ),
        **_organisation_saved(_("组织“%(name)s”已创建。")),
    ) or form_page("directory/organisation_form.html", form, organisation=None)


@bp.route("/organisations/<id:organisation_id>/edit", methods=["GET", "POST"])
def edit_organisation(organisation_id: int):
    require(Action.MANAGE_ORGANISATIONS)
    record = db.get_or_404(Organisation, organisation_id)
    form = OrganisationForm(obj=record) if request.method == "GET" else OrganisationForm()
    return save(
        form,
        lambda: service.update_organisation(
            db.session,
            record,
            by=current_principal(),
            name=form.name.data,
            name_en=form.name_en.data,
            kind=form.kind.data,
            reason=form.reason.data,
            expected_version=form.version.data,
        ),
        **_organisation_saved(_("组织“%(name)s”已保存。")),
    ) or form_page("directory/organisation_form.html", form, organisation=record)


@bp.post("/organisations/<id:organisation_id>/archive")
def archive_organisation(organisation_id: int):
    require(Action.MANAGE_ORGANISATIONS)
    record = db.get_or_404(Organisation, organisation_id)
    return archive_from_form(record, True, _archive, ".organisation", organisation_id=record.id)


@bp.post("/organisations/<id:organisation_id>/restore")
def restore_organisation(organisation_id: int):
    require(Action.MANAGE_ORGANISATIONS)
    record = db.get_or_404(Organisation, organisation_id)
    return archive_from_form(record, False, _archive, ".organisation", organisation_id=record.id)


# --- working groups -------------------------------------------------------------------------------


def _member_choices(form: WorkingGroupForm, group: WorkingGroup | None = None) -> None:
    """Active accounts, plus deactivated ones still listed as members (so saving keeps them)."""
    users = db.session.scalars(
        select(User).options(selectinload(User.organisation)).where(User.active.is_(True)).order_by(User.username)
    ).all()
    if group is not None:
        users += [member for member in group.members if member not in users]
    form.members.choices = [SelectChoice(user.id, _member_label(user)) for user in users]


def _member_label(user: User) -> Markup:
    """The member's "name (username) · organisation" in the reader's punctuation, the names people
    gave marked as Chinese. Markup's % escapes them (user data); only our translated pattern is markup."""
    label = Markup(_("%(name)s（%(code)s）")) % {"name": _chinese(user.display_name), "code": user.username}
    if user.organisation:
        label += Markup(" · ") + _chinese(user.organisation.name)
    return label


def _chinese(text: str) -> Markup:
    return Markup('<span lang="zh-CN">%s</span>') % text


def _chosen_members(form: WorkingGroupForm) -> list[User]:
    return db.session.scalars(select(User).where(User.id.in_(form.members.data or []))).all()


def _group_saved(verb_message: str):
    return {
        "message": lambda group: verb_message % {"name": group.name},
        "redirect_to": lambda group: url_for(".working_group", group_id=group.id),
    }


@bp.get("/working-groups")
def working_groups():
    require(Action.VIEW_DIRECTORY)
    query = select(WorkingGroup).options(selectinload(WorkingGroup.members)).order_by(WorkingGroup.code)
    query = _search(query, text_arg("q"), WorkingGroup.code, WorkingGroup.name)
    if not _show_archived():
        query = query.where(WorkingGroup.archived_at.is_(None))
    return render_template("directory/working_groups.html", page=_page(query), show_archived=_show_archived())


@bp.get("/working-groups/<id:group_id>")
def working_group(group_id: int):
    require(Action.VIEW_DIRECTORY)
    group = db.get_or_404(WorkingGroup, group_id)
    return render_template("directory/working_group.html", group=group, confirm_form=ConfirmForm(formdata=None))


@bp.route("/working-groups/new", methods=["GET", "POST"])
def new_working_group():
    require(Action.MANAGE_WORKING_GROUPS)
    form = WorkingGroupForm()
    del form.reason, form.version
    _member_choices(form)
    return save(
        form,
        lambda: service.create_working_group(
            db.session,
            by=current_principal(),
            code=form.code.data,
            name=form.name.data,
            description=form.description.data,
            members=_chosen_members(form),
        ),
        **_group_saved(_("工作组“%(name)s”已创建。")),
    ) or form_page("directory/working_group_form.html", form, group=None)


@bp.route("/working-groups/<id:group_id>/edit", methods=["GET", "POST"])
def edit_working_group(group_id: int):
    require(Action.MANAGE_WORKING_GROUPS)
    group = db.get_or_404(WorkingGroup, group_id)
    if request.method == "GET":
        form = WorkingGroupForm(
            data={
                "code": group.code,
                "name": group.name,
                "description": group.description,
                "version": group.version,
                "members": [member.id for member in group.members],
            }
        )
    else:
        form = WorkingGroupForm()
    _member_choices(form, group)
    return save(
        form,
        lambda: service.update_working_group(
            db.session,
            group,
            by=current_principal(),
            code=form.code.data,
            name=form.name.data,
            description=form.description.data,
            members=_chosen_members(form),
            reason=form.reason.data,
            expected_version=form.version.data,
        ),
        **_group_saved(_("工作组“%(name)s”已保存。")),
    ) or form_page("directory/working_group_form.html", form, group=group)


@bp.post("/working-groups/<id:group_id>/archive")
def archive_working_group(group_id: int):
    require(Action.MANAGE_WORKING_GROUPS)
    group = db.get_or_404(WorkingGroup, group_id)
    return archive_from_form(group, True, _archive, ".working_group", group_id=group.id)


@bp.post("/working-groups/<id:group_id>/restore")
def restore_working_group(group_id: int):
    require(Action.MANAGE_WORKING_GROUPS)
    group = db.get_or_404(WorkingGroup, group_id)
    return archive_from_form(group, False, _archive, ".working_group", group_id=group.id)
