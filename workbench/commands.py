"""What every `workbench` command shares: who it acts as, its one transaction, reading a JSON
file, refusing input with one line, and printing JSON. The domain commands (registry/cli.py,
drafting/cli.py …) import from here; workbench/cli.py only gathers them.

Who a command acts as. Operations check the acting account's permissions themselves
(workbench.auth.permissions), so a command acts as an account and the audit trail names it:
- `workbench --as USERNAME …` (or WORKBENCH_OPERATOR=USERNAME): that account, which must exist and
  be active; its role decides what the command may change. Give each person who runs commands their
  own account and use this, so the trail says who it was.
- otherwise the built-in account `operator` (命令行操作员), an administrator that cannot sign in
  (it has no password), created the first time a command needs it. `make run` and scripted
  set-ups act as it.
"""

import json
import sys
import unicodedata
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench import json_input
from workbench.audit import SYSTEM, set_actor
from workbench.auth.models import User, actor_of
from workbench.auth.permissions import Role
from workbench.auth.service import OPERATOR
from workbench.db import db

OPERATOR_ENV = "WORKBENCH_OPERATOR"
OPERATOR_NAME = "命令行操作员"
NO_PASSWORD = "!"  # a password hash that matches no password: the account cannot sign in
META_KEY = "workbench.operator"  # where the root group keeps --as for the commands
INPUT_PROBLEM = 2  # the exit status when a file cannot be used at all

FORMAT = click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)


def operator(session: Session) -> User:
    """The account this command acts as (see the module docstring)."""
    context = click.get_current_context(silent=True)
    chosen = context.meta.get(META_KEY) if context is not None else None
    if chosen is not None:
        return named_account(session, chosen)
    user = session.scalar(select(User).where(User.username == OPERATOR))
    if user is not None and (not user.active or user.password_hash != NO_PASSWORD):
        raise click.ClickException(
            "账号“operator”不是命令行内置的账号（已停用或设置了密码）：请用 --as 指定执行命令的账号 "
            "(the 'operator' account is not the built-in one: name the acting account with --as)"
        )
    if user is None:
        set_actor(session, SYSTEM)
        user = User(
            username=OPERATOR,
            display_name=OPERATOR_NAME,
            role=Role.ADMINISTRATOR,
            active=True,
            password_hash=NO_PASSWORD,
        )
        session.add(user)
        session.flush()
    return user


def named_account(session: Session, username: str) -> User:
    """The active account `--as USERNAME` names, or a one-line refusal (an empty name too: an unset
    variable in a script must not fall back to the administrator `operator`)."""
    if not username.strip():
        raise click.ClickException("--as 需要账号名 (--as needs a username)")
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active:
        raise click.ClickException(f"没有启用的账号“{username}” (no such active account for --as)")
    return user


def acting(session: Session | None = None) -> User:
    """The command's account, also set as the actor of the session's audit events."""
    session = session or db.session
    user = operator(session)
    set_actor(session, actor_of(user))
    return user


def echo_json(document) -> None:
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


def refuse(message: str):
    """One line on standard error and exit status 2: the input cannot be used at all."""
    click.echo(f"错误 error: {message}", err=True)
    sys.exit(INPUT_PROBLEM)


def first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def read_json_object(path: Path) -> dict:
    """The JSON object in `path`, or one line naming what is wrong and exit status 2."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        refuse(f"{path}: 不是 UTF-8 编码的文本 (not UTF-8): 第 {error.start + 1} 个字节")
    except OSError as error:
        refuse(f"{path}: 无法读取 (cannot read): {error.strerror or error}")
    try:
        document = json_input.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        refuse(
            f"{path}: 第 {error.lineno} 行第 {error.colno} 列不是有效的 JSON "
            f"(invalid JSON at line {error.lineno}, column {error.colno}): {error.msg}"
        )
    except json_input.NestedTooDeeply as error:
        refuse(f"{path}: JSON 嵌套超过 {error.limit} 层 (nested deeper than {error.limit} levels)")
    except ValueError as error:  # NaN/Infinity, or an integer of thousands of digits
        refuse(f"{path}: JSON 中的数值无法读取 (unreadable number): {str(error)[:200]}")
    if not isinstance(document, dict):
        refuse(f"{path}: 文件应是一个 JSON 对象 (the file must hold a JSON object)")
    return document


def _no_constant(name: str):
    raise ValueError(f"{name} 不是有限的数值 (not a finite number)")


def width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))
