import hashlib
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.audit import Actor, Archivable, Audited
from workbench.auth.permissions import Role
from workbench.db import Versioned, db, enum_type


def token_digest(token: str) -> str:
    """What is stored of a secret token (an API token, a sign-in's cookie token): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


class OrganisationKind(StrEnum):
    MINISTRY = "ministry"
    LOCAL_AUTHORITY = "local_authority"  # a provincial or city market-regulation bureau (地方标准)
    TC_SECRETARIAT = "tc_secretariat"
    ASSOCIATION = "association"
    RESEARCH_INSTITUTE = "research_institute"
    ENTERPRISE = "enterprise"
    CERTIFICATION_BODY = "certification_body"  # 认证机构: verifies declarations (碳标识)


ROLE_LABELS = {
    Role.ADMINISTRATOR: _l("管理员（市场监管总局/生态环境部）"),
    Role.SECRETARIAT: _l("秘书处（SAC/TC548）"),
    Role.DRAFTER: _l("起草人"),
    Role.ASSOCIATION: _l("协会代表"),
    Role.EVALUATOR: _l("评估人"),
    Role.ENTERPRISE: _l("企业用户"),
    Role.CERTIFIER: _l("认证人员（认证机构）"),
}

ORGANISATION_KIND_LABELS = {
    OrganisationKind.MINISTRY: _l("主管部门"),
    OrganisationKind.LOCAL_AUTHORITY: _l("地方标准化行政主管部门"),
    OrganisationKind.TC_SECRETARIAT: _l("标准化技术委员会秘书处"),
    OrganisationKind.ASSOCIATION: _l("社会团体（协会）"),
    OrganisationKind.RESEARCH_INSTITUTE: _l("研究机构"),
    OrganisationKind.ENTERPRISE: _l("企业"),
    OrganisationKind.CERTIFICATION_BODY: _l("认证机构"),
}


class Organisation(Versioned, Archivable, db.Model):
    __tablename__ = "organisations"
    __audit_type__ = "organisation"
    __audit_type_label__ = _l("组织")
    __audit_endpoint__ = "directory.organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), info={"label": _l("名称")})
    name_en: Mapped[str | None] = mapped_column(String(200), info={"label": _l("英文名称")})
    kind: Mapped[OrganisationKind] = mapped_column(
        enum_type(OrganisationKind), info={"label": _l("类型"), "value_labels": ORGANISATION_KIND_LABELS}
    )

    users: Mapped[list["User"]] = relationship(back_populates="organisation", order_by="User.username")

    def audit_label(self) -> str:
        return self.name


working_group_members = Table(
    "working_group_members",
    db.metadata,
    Column("working_group_id", ForeignKey("working_groups.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True, index=True),
)


class WorkingGroup(Versioned, Archivable, db.Model):
    """A drafting group under the SAC/TC548 carbon-footprint working group (指引（十三）)."""

    __tablename__ = "working_groups"
    __audit_type__ = "working_group"
    __audit_type_label__ = _l("工作组")
    __audit_endpoint__ = "directory.working_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, info={"label": _l("代号")})  # stored upper-case
    name: Mapped[str] = mapped_column(String(200), info={"label": _l("名称")})
    description: Mapped[str] = mapped_column(Text, default="", info={"label": _l("工作范围")})

    # Membership is written from this side only; User.working_groups reads it.
    members: Mapped[list["User"]] = relationship(
        secondary=working_group_members, order_by="User.username", info={"label": _l("成员")}
    )

    def audit_label(self) -> str:
        return f"{self.code} {self.name}"


# Names are unique whatever their case: "CNIS" and "cnis" are one organisation. (Working group
# codes are stored upper-case, so their plain unique constraint suffices.)
Index("uq_organisations_name_lower", func.lower(Organisation.name), unique=True)
Index("uq_working_groups_name_lower", func.lower(WorkingGroup.name), unique=True)


class User(Versioned, Audited, db.Model):
    __tablename__ = "users"
    __audit_type__ = "user"
    __audit_type_label__ = _l("用户账号")
    __audit_endpoint__ = "directory.user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, info={"label": _l("用户名")})
    display_name: Mapped[str] = mapped_column(String(100), info={"label": _l("姓名")})
    email: Mapped[str | None] = mapped_column(String(254), info={"label": _l("电子邮箱")})
    password_hash: Mapped[str] = mapped_column(String(255), info={"label": _l("密码"), "audit": "redact"})
    role: Mapped[Role] = mapped_column(enum_type(Role), info={"label": _l("角色"), "value_labels": ROLE_LABELS})
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), index=True, info={"label": _l("所属组织")}
    )
    active: Mapped[bool] = mapped_column(default=True, info={"label": _l("启用")})
    locale: Mapped[str | None] = mapped_column(String(10), info={"label": _l("界面语言")})

    organisation: Mapped[Organisation | None] = relationship(back_populates="users", info={"label": _l("所属组织")})
    working_groups: Mapped[list[WorkingGroup]] = relationship(
        secondary=working_group_members, viewonly=True, order_by="WorkingGroup.code", info={"label": _l("工作组")}
    )

    # What Flask-Login asks of a user (without UserMixin, whose equality compares get_id()).
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    # Set by auth.service.start_sign_in just before Flask-Login stores it in the session and the
    # remember-me cookie: the cookies name a sign-in record, never the user directly.
    sign_in_token = None  # a plain attribute, not a column

    def get_id(self) -> str:
        if not self.sign_in_token:
            raise RuntimeError("sign in through workbench.auth.service.start_sign_in")
        return self.sign_in_token

    def audit_label(self) -> str:
        return self.username

    def audit_action(self, changes: dict) -> str:
        if "active" in changes:
            return "reactivated" if changes["active"]["after"] else "deactivated"
        return "updated"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


def actor_of(user) -> Actor:
    """How the audit trail and the records name whoever acts: "display name (username)" for a
    signed-in account, "anonymous" for a visitor."""
    if user is not None and getattr(user, "is_authenticated", False):
        return Actor(user.id, f"{user.display_name} ({user.username})")
    return Actor(None, "anonymous")


class ApiToken(Audited, db.Model):
    """A personal token for API calls. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"
    __audit_type__ = "api_token"
    __audit_type_label__ = _l("API 令牌")
    __audit_endpoint__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, info={"label": _l("用户")})
    name: Mapped[str] = mapped_column(String(100), info={"label": _l("名称")})
    prefix: Mapped[str] = mapped_column(String(12), info={"label": _l("前缀")})
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info={"label": _l("令牌"), "audit": "redact"})
    created_at: Mapped[datetime] = mapped_column(info={"label": _l("创建时间")})
    revoked_at: Mapped[datetime | None] = mapped_column(info={"label": _l("撤销时间")})
    # When and from where it was last used (updated at most every few minutes; not audited).
    last_used_at: Mapped[datetime | None] = mapped_column(info={"audit": "skip"})
    last_used_from: Mapped[str | None] = mapped_column(String(45), info={"audit": "skip"})

    user: Mapped[User] = relationship(info={"label": _l("用户")})

    digest = staticmethod(token_digest)

    def audit_label(self) -> str:
        return f"{self.prefix}… ({self.name})"

    def audit_action(self, changes: dict) -> str:
        return "revoked" if "revoked_at" in changes else "updated"


class SignIn(db.Model):
    """One signed-in browser: what its session cookie and remember-me cookie name.

    Ending it (sign out, "sign out everywhere", a password change, deactivation, or idleness past
    its limit) makes both cookies worthless on every server, because each request looks it up.
    Only the SHA-256 of its token is stored. Not audited: the account page lists them instead.
    """

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    address: Mapped[str] = mapped_column(String(45))  # IPv6 at most; the client's, after the trusted proxies
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    ended_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    digest = staticmethod(token_digest)

    @property
    def device(self) -> str:
        """ "Firefox · Windows": enough for a person to recognise their own browser."""
        browser = next((name for pattern, name in BROWSERS if pattern in self.user_agent), "")
        system = next((name for pattern, name in SYSTEMS if pattern in self.user_agent), "")
        return " · ".join(part for part in (browser, system) if part) or (self.user_agent[:60] or "—")


# Looked for in this order: Edge and Opera also name Chrome, Chrome also names Safari.
BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)
