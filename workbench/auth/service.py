"""Operations on accounts, organisations, working groups and API tokens.

Plain functions taking a session, the acting user (`by`) and already-shaped input; each asks
`require(by, …)` first and then enforces the domain rules (uniqueness, password policy, no new
links to archived records), so that forms, the API and the CLI refuse the same things with the
same sentences. None of them commits.
"""

import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from workbench import throttle
from workbench.audit import Archivable, change_reason
from workbench.audit.archiving import set_archived as _set_archived
from workbench.audit.models import AuditEvent
from workbench.auth.models import ApiToken, Organisation, OrganisationKind, SignIn, User, WorkingGroup
from workbench.auth.permissions import Action, Role, require
from workbench.db import expect_version, utcnow
from workbench.errors import Conflict, InvalidInput, NotFound, TooManyAttempts
from workbench.messages import N_

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
OPERATOR = "operator"  # the command line's own account (workbench.commands); nobody else may take the name
WORKING_GROUP_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "wbt_"


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _require_text(value: str | None, field: str, label: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("请填写%(label)s。", label=label), details={field: _("必填")})
    if len(value) > max_length:
        message = _("%(label)s不能超过 %(max)d 个字符。", label=label, max=max_length)
        raise InvalidInput(message, details={field: message})
    return value


def _check_password(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        message = _("密码至少需要 %(min)d 个字符。", min=MIN_PASSWORD_LENGTH)
        raise InvalidInput(message, details={"password": message})
    if password.strip().lower() == username.lower():
        message = _("密码不能与用户名相同。")
        raise InvalidInput(message, details={"password": message})


def _usable(records: Iterable[Archivable], field: str) -> list:
    records = list(records)
    for record in records:
        if record.is_archived:
            message = _("“%(name)s”已归档，不能再选用。", name=record.audit_label())
            raise InvalidInput(message, details={field: message})
    return records


def _end_sessions(session: Session, user: User, *, keep: SignIn | None = None) -> None:
    """Sign the account out everywhere (but on `keep`): every signed-in browser, with its
    remember-me cookie, and every personal API token."""
    end_sign_ins(session, user, keep=keep)
    active_tokens = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    for token in session.scalars(active_tokens):
        token.revoked_at = utcnow()


def _set_password(session: Session, user: User, password: str, *, keep: SignIn | None = None) -> None:
    user.password_hash = _hash(password)
    _end_sessions(session, user, keep=keep)


def _set_memberships(user: User, groups: Iterable[WorkingGroup], current: Iterable[WorkingGroup]) -> None:
    """Put `user` in exactly `groups`. Membership is written from the groups' side (the audit
    trail records it on both the groups and the user)."""
    wanted, current = set(groups), set(current)
    _usable(sorted(wanted - current, key=lambda group: group.code), "working_groups")
    for group in sorted(current - wanted, key=lambda group: group.code):
        group.members = [member for member in group.members if member is not user]
    for group in sorted(wanted - current, key=lambda group: group.code):
        group.members = sorted([*group.members, user], key=lambda member: member.username)


# --- accounts -----------------------------------------------------------------------------------


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (never says which was wrong)."""
    user = find_user(session, username or "")
    if user is None:
        _hash(password or "")  # as slow as a real check, so timing does not tell which names exist
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    return user


# --- signing in ---------------------------------------------------------------------------------

# Every attempt first passes gates that count it atomically (workbench.throttle) before the
# password is read, so parallel guesses cannot slip past a count: 5 per account in 5 minutes,
# and per address 20 in 5 minutes, 60 in an hour, 200 in a day (right passwords given back).
# Attempts whose password was checked and wrong also count towards longer locks: 10 in an hour on
# the account, 20 in a day on the account from one address. Refused attempts extend no lock, so a
# flood from anywhere locks an account until the hour ends at most, and a right password resets
# the account's counts.
SIGN_IN_GATE_PER_ACCOUNT = throttle.limit("5 per 5 minutes")
SIGN_IN_GATES_PER_ADDRESS = tuple(map(throttle.limit, ("20 per 5 minutes", "60 per hour", "200 per day")))
SIGN_IN_FAILURES_PER_ACCOUNT = throttle.limit("10 per hour")
SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS = throttle.limit("20 per day")
# A sign-in's "last seen" is written at most this often, so browsing costs no write per request.
SEEN_PRECISION = timedelta(minutes=5)
LOGIN_FAILED, LOGIN_LOCKED = "login_failed", "login_locked"  # audit actions


def _attempt_keys(username: str, address: str) -> dict:
    address = throttle.address_key(address)
    return {
        "account": ("sign-in", f"account:{username}"),
        "address": ("sign-in", f"address:{address}"),
        "account_address": ("sign-in", f"account:{username}", f"address:{address}"),
    }


def _count_attempt(keys: dict) -> tuple[datetime | None, bool]:
    """Count one attempt at the gates. When it may not go on: until when, and whether this is
    the first refusal of its window (the one worth an audit event)."""
    gates = [throttle.hit(SIGN_IN_GATE_PER_ACCOUNT, *keys["account"])]
    gates += [throttle.hit(item, *keys["address"]) for item in SIGN_IN_GATES_PER_ADDRESS]
    locks = [
        throttle.exhausted(SIGN_IN_FAILURES_PER_ACCOUNT, *keys["account"]),
        throttle.exhausted(SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS, *keys["account_address"]),
    ]
    ends = [gate.resets_at for gate in gates if not gate.allowed] + [end for end in locks if end is not None]
    return (max(ends) if ends else None), any(gate.first_refusal for gate in gates)


def _count_failure(keys: dict) -> None:
    throttle.hit(SIGN_IN_FAILURES_PER_ACCOUNT, *keys["account"])
    throttle.hit(SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS, *keys["account_address"])


def _give_back_attempts(keys: dict) -> None:
    throttle.clear(SIGN_IN_GATE_PER_ACCOUNT, *keys["account"])
    throttle.clear(SIGN_IN_FAILURES_PER_ACCOUNT, *keys["account"])
    throttle.clear(SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS, *keys["account_address"])
    for item in SIGN_IN_GATES_PER_ADDRESS:
        throttle.refund(item, *keys["address"])


def _record_refused_sign_in(session: Session, user: User | None, username: str, address: str, action: str) -> None:
    """An audit event for a failed or throttled sign-in. The login page answers 422 or 429, which
    rolls a request back; it commits first so that this record stays (see auth.views.login)."""
    session.add(
        AuditEvent(
            occurred_at=utcnow(),
            actor_id=None,
            actor_label=f"anonymous ({address})",
            record_type="user",
            record_id=str(user.id) if user is not None else "-",
            record_label=user.username if user is not None else username or "-",
            action=action,
            changes={},
            reason=None,
        )
    )


def sign_in(session: Session, username: str, password: str, *, address: str, user_agent: str, remember: bool) -> User:
    """Check a sign-in attempt and start a sign-in for the right password (the user's
    `sign_in_token` is then set, for Flask-Login's cookies). Raises TooManyAttempts while the
    account or the address is locked, and InvalidInput for a wrong name or password; both are
    recorded in the audit trail."""
    username = (username or "").strip().lower()[:64]
    keys = _attempt_keys(username, address)
    locked_until, first_refusal = _count_attempt(keys)
    user = find_user(session, username)
    if locked_until is not None:
        if first_refusal:  # once per window: a flood must not flood the audit trail
            _record_refused_sign_in(session, user, username, address, LOGIN_LOCKED)
        when = format_datetime(locked_until, "short")
        raise TooManyAttempts(
            _("登录失败次数过多，已暂时锁定：请于 %(when)s 之后再试。忘记密码请联系管理员重置。", when=when),
            retry_at=locked_until,
        )
    if authenticate(session, username, password) is None:
        _count_failure(keys)
        _record_refused_sign_in(session, user, username, address, LOGIN_FAILED)
        raise InvalidInput(_("用户名或密码不正确，或账号已停用。"))
    _give_back_attempts(keys)
    start_sign_in(session, user, address=address, user_agent=user_agent, remember=remember)
    return user


def start_sign_in(session: Session, user: User, *, address: str, user_agent: str, remember: bool) -> SignIn:
    """A new sign-in record for `user`; its token (only its hash is stored) becomes the user's
    `sign_in_token` for this request, which Flask-Login puts in the cookies."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    record = SignIn(
        user=user,
        token_hash=SignIn.digest(token),
        remember=remember,
        created_at=now,
        last_seen_at=now,
        address=address[:45],
        user_agent=(user_agent or "")[:200],
    )
    session.add(record)
    session.flush()
    user.sign_in_token = token
    return record


def idle_limit(sign_in: SignIn) -> timedelta:
    """How long a sign-in lasts unused: as long as the remember-me cookie, or a working day."""
    config = current_app.config
    return config["REMEMBER_COOKIE_DURATION"] if sign_in.remember else config["SIGN_IN_IDLE_LIMIT"]


def sign_in_for(session: Session, token: str, *, address: str, now: datetime) -> SignIn | None:
    """The live sign-in a cookie's token names, or None: unknown, ended, idle too long, or its
    account deactivated. Notes when and from where it was seen (at most every few minutes)."""
    record = session.scalar(select(SignIn).where(SignIn.token_hash == SignIn.digest(token)))
    if record is None or record.ended_at is not None or not record.user.active:
        return None
    if record.last_seen_at + idle_limit(record) < now:
        return None
    if now - record.last_seen_at >= SEEN_PRECISION or record.address != address[:45]:
        record.last_seen_at, record.address = now, address[:45]
    record.user.sign_in_token = token
    return record


def live_sign_ins(session: Session, user: User) -> list[SignIn]:
    """`user`'s sign-ins that still sign a browser in, most recently used first."""
    now = utcnow()
    records = session.scalars(
        select(SignIn)
        .where(SignIn.user_id == user.id, SignIn.ended_at.is_(None))
        .order_by(SignIn.last_seen_at.desc(), SignIn.id.desc())
    ).all()
    return [record for record in records if record.last_seen_at + idle_limit(record) >= now]


def end_sign_in(session: Session, record: SignIn, *, by) -> None:
    """Sign one browser out (its owner, from that browser or from the account page)."""
    require(by, Action.EDIT_OWN_ACCOUNT)
    if record.user_id != by.id:
        raise NotFound(_("没有这个登录记录。"))
    if record.ended_at is None:
        record.ended_at = utcnow()


def end_sign_ins(session: Session, user: User, *, keep: SignIn | None = None) -> int:
    """End every live sign-in of `user` but `keep`; how many ended."""
    query = update(SignIn).where(SignIn.user_id == user.id, SignIn.ended_at.is_(None))
    if keep is not None:
        query = query.where(SignIn.id != keep.id)
    return session.execute(query.values(ended_at=utcnow()), execution_options={"synchronize_session": False}).rowcount


def sign_out_everywhere(session: Session, user: User, *, by, keep: SignIn | None = None) -> int:
    """`user` signs out every other browser (API tokens are revoked one by one on the account page)."""
    require(by, Action.EDIT_OWN_ACCOUNT)
    if user.id != by.id:
        raise NotFound(_("没有这个账号。"))
    return end_sign_ins(session, user, keep=keep)


def create_user(
    session: Session,
    *,
    by,
    username: str,
    display_name: str,
    password: str,
    role: Role | str,
    email: str | None = None,
    organisation: Organisation | None = None,
    working_groups: Iterable[WorkingGroup] = (),
) -> User:
    require(by, Action.MANAGE_USERS)
    username = (username or "").strip().lower()
    if not USERNAME_PATTERN.match(username):
        message = _("用户名须为 2–64 位小写字母、数字、点、下划线或连字符，并以字母或数字开头。")
        raise InvalidInput(message, details={"username": message})
    if find_user(session, username) is not None or username == OPERATOR:
        message = _("用户名“%(username)s”已被使用。", username=username)
        raise Conflict(message, details={"username": message})
    _check_password(password or "", username)
    user = User(
        username=username,
        display_name=_require_text(display_name, "display_name", _("姓名"), 100),
        email=(email or "").strip() or None,
        role=_role(role),
        organisation=_usable([organisation], "organisation")[0] if organisation else None,
        active=True,
        password_hash=_hash(password),
    )
    with session.no_autoflush:  # one flush, so the account's creation is one event
        session.add(user)
        _set_memberships(user, working_groups, current=())
    session.flush()
    return user


def update_user(
    session: Session,
    user: User,
    *,
    by,
    display_name: str,
    email: str | None,
    role: Role | str,
    organisation: Organisation | None,
    working_groups: Iterable[WorkingGroup],
    active: bool,
    new_password: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> User:
    require(by, Action.MANAGE_USERS, user)
    if user.username == OPERATOR:
        raise InvalidInput(
            _("“operator”是命令行内置的账号，不能修改：命令行请用 --as 以个人账号执行。")
        )  # it signs in nowhere and acts for scripts; a password or another role would change that
    expect_version(user, expected_version)
    role = _role(role)
    leaves_administration = (
        user.role == Role.ADMINISTRATOR and user.active and (role != Role.ADMINISTRATOR or not active)
    )
    if leaves_administration:
        _active_administrators(session, lock=True)
    if new_password:
        _check_password(new_password, user.username)
    with change_reason(session, reason):
        user.display_name = _require_text(display_name, "display_name", _("姓名"), 100)
        user.email = (email or "").strip() or None
        user.role = role
        if organisation is not user.organisation:
            user.organisation = _usable([organisation], "organisation")[0] if organisation else None
        _set_memberships(user, working_groups, current=user.working_groups)
        if user.active and not active:
            _end_sessions(session, user)
        user.active = active
        if new_password:
            _set_password(session, user, new_password)
    session.expire(user, ["working_groups"])  # read-only side of the link: reload it when read
    if leaves_administration and not _active_administrators(session):
        message = _("这是最后一个启用的管理员账号：请先为另一位用户授予管理员角色，再停用或降级此账号。")
        raise InvalidInput(message, details={"role": message})
    return user


def _active_administrators(session: Session, *, lock: bool = False) -> list[int]:
    """Ids of the active administrators who are people (the command line's `operator` does not
    count: it cannot sign in, so it could not create accounts through the web).

    Two administrators demoting each other at the same moment must not leave none. With
    `lock`, PostgreSQL makes such demotions take turns (SELECT … FOR UPDATE, before anything is
    written); the count after the change is flushed then sees the other's committed change. On
    SQLite the flush itself takes the database's single write lock, which orders them the same way.
    """
    query = (
        select(User.id)
        .where(User.role == Role.ADMINISTRATOR, User.active.is_(True), User.username != OPERATOR)
        .order_by(User.id)
    )
    return list(session.scalars(query.with_for_update() if lock else query))


def change_own_password(
    session: Session, user: User, *, current_password: str, new_password: str, keep: SignIn | None = None
) -> None:
    """`user` changes their own password (knowing the current one). Every other sign-in ends;
    `keep`, the browser they changed it in, stays signed in."""
    require(user, Action.EDIT_OWN_ACCOUNT)
    if not check_password_hash(user.password_hash, current_password or ""):
        message = _("当前密码不正确。")
        raise InvalidInput(message, details={"current_password": message})
    _check_password(new_password or "", user.username)
    with change_reason(session, N_("用户修改了自己的密码")):
        _set_password(session, user, new_password, keep=keep)


def set_locale(user: User, locale: str) -> None:
    """`user` chooses their own interface language."""
    require(user, Action.EDIT_OWN_ACCOUNT)
    if user.locale != locale:
        user.locale = locale


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        message = _("未知角色“%(role)s”。", role=value)
        raise InvalidInput(message, details={"role": message}) from None


# --- organisations and working groups -------------------------------------------------------------


def _unique(session: Session, model, field: str, value: str, *, exclude=None) -> None:
    column = getattr(model, field)
    query = select(model.id).where(func.lower(column) == value.lower())
    if exclude is not None:
        query = query.where(model.id != exclude.id)
    if session.scalar(query) is not None:
        message = _("“%(value)s”已存在，请换一个。", value=value)
        raise Conflict(message, details={field: message})


def _kind(value: OrganisationKind | str) -> OrganisationKind:
    try:
        return OrganisationKind(value)
    except ValueError:
        message = _("未知组织类型“%(kind)s”。", kind=value)
        raise InvalidInput(message, details={"kind": message}) from None


def create_organisation(
    session: Session, *, by, name: str, kind: OrganisationKind | str, name_en: str | None = None
) -> Organisation:
    require(by, Action.MANAGE_ORGANISATIONS)
    name = _require_text(name, "name", _("名称"), 200)
    _unique(session, Organisation, "name", name)
    organisation = Organisation(name=name, name_en=(name_en or "").strip() or None, kind=_kind(kind))
    session.add(organisation)
    session.flush()
    return organisation


def update_organisation(
    session: Session,
    organisation: Organisation,
    *,
    by,
    name: str,
    kind: OrganisationKind | str,
    name_en: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Organisation:
    require(by, Action.MANAGE_ORGANISATIONS, organisation)
    expect_version(organisation, expected_version)
    name = _require_text(name, "name", _("名称"), 200)
    _unique(session, Organisation, "name", name, exclude=organisation)
    with change_reason(session, reason):
        organisation.name = name
        organisation.name_en = (name_en or "").strip() or None
        organisation.kind = _kind(kind)
    return organisation


def create_working_group(
    session: Session, *, by, code: str, name: str, description: str = "", members: Iterable[User] = ()
) -> WorkingGroup:
    require(by, Action.MANAGE_WORKING_GROUPS)
    code = _working_group_code(code)
    name = _require_text(name, "name", _("名称"), 200)
    _unique(session, WorkingGroup, "code", code)
    _unique(session, WorkingGroup, "name", name)
    group = WorkingGroup(code=code, name=name, description=(description or "").strip(), members=_members(members))
    session.add(group)
    session.flush()
    return group


def update_working_group(
    session: Session,
    group: WorkingGroup,
    *,
    by,
    code: str,
    name: str,
    description: str,
    members: Iterable[User],
    reason: str | None = None,
    expected_version: int | None = None,
) -> WorkingGroup:
    require(by, Action.MANAGE_WORKING_GROUPS, group)
    expect_version(group, expected_version)
    code = _working_group_code(code)
    name = _require_text(name, "name", _("名称"), 200)
    _unique(session, WorkingGroup, "code", code, exclude=group)
    _unique(session, WorkingGroup, "name", name, exclude=group)
    with change_reason(session, reason):
        group.code = code
        group.name = name
        group.description = (description or "").strip()
        group.members = _members(members, keep=group.members)
    return group


def _working_group_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not WORKING_GROUP_CODE_PATTERN.match(code):
        message = _("代号须为 2–32 位大写字母、数字或连字符，例如 WG-AL。")
        raise InvalidInput(message, details={"code": message})
    return code


def _members(users: Iterable[User], keep: Iterable[User] = ()) -> list[User]:
    """The members to set, in the order the relationship loads them (by username)."""
    users, keep = list(users), set(keep)
    for user in users:
        if not user.active and user not in keep:
            message = _("账号“%(username)s”已停用，不能加入工作组。", username=user.username)
            raise InvalidInput(message, details={"members": message})
    return sorted(users, key=lambda user: user.username)


def set_archived(
    session: Session, record: Organisation | WorkingGroup, archived: bool, *, by, reason: str | None = None
) -> None:
    """Archive or restore an organisation or a working group."""
    action = Action.MANAGE_ORGANISATIONS if isinstance(record, Organisation) else Action.MANAGE_WORKING_GROUPS
    require(by, action, record)
    _set_archived(session, record, archived, reason=reason)


# --- API tokens ---------------------------------------------------------------------------------


def create_api_token(session: Session, user: User, *, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`, made by `user`; the plain token is returned once and never stored."""
    require(user, Action.EDIT_OWN_ACCOUNT)
    name = _require_text(name, "name", _("令牌名称"), 100)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        prefix=plain[: len(TOKEN_PREFIX) + 6],
        token_hash=ApiToken.digest(plain),
        created_at=utcnow(),
    )
    session.add(token)
    session.flush()
    return token, plain


def revoke_api_token(session: Session, token: ApiToken, *, by) -> None:
    """Its owner revokes a personal token."""
    require(by, Action.EDIT_OWN_ACCOUNT)
    if token.user_id != by.id:
        raise NotFound(_("没有这个令牌。"))
    if token.revoked_at is not None:
        raise Conflict(_("该令牌已撤销。"))
    token.revoked_at = utcnow()


def user_for_token(session: Session, plain: str, *, address: str = "", now: datetime | None = None) -> User | None:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.digest(plain)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= SEEN_PRECISION or token.last_used_from != address:
        token.last_used_at, token.last_used_from = now, address[:45]
    return token.user
