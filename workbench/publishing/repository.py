"""The publication repository: a git repository whose working tree is every published rule,
one folder per product (`<slug>/rule.json`, `rule.md`, `index.html`, `rule.pdf`, `rule.docx`)
and a top-level `index.json`. Anyone can clone it to mirror all published rules.

Pure: GitPython and the file system; no Flask, no database.

- Serialised: a publication holds an exclusive `flock` on a file inside `.git`, which excludes
  other threads and other worker processes alike, so two publishers go one after the other.
- Atomic: the caller renders everything before calling `publish`; if writing or committing
  fails, the working tree and index are put back to HEAD, so no half publication is left.
- Idempotent: a publication that changes no file makes no commit.
- History is never rewritten: commits are only added, tags only created.
"""

import fcntl
import functools
import json
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import git

INDEX = "index.json"
LOCK_FILE = "workbench-publish.lock"
FILES = ("rule.json", "rule.md", "index.html", "rule.pdf", "rule.docx")
COMMITTER = git.Actor("CFP Standards Workbench", "workbench@localhost")
README = """# 已发布的产品碳足迹规则 · Published product carbon-footprint rules

本仓库由碳足迹标准工作台自动维护：每个目录是一项规则（rule.json、rule.md、index.html、rule.pdf、rule.docx），
index.json 列出全部已发布规则；每次发布一个提交，每个版本一个标签。可自由克隆和镜像。

Maintained by the CFP Standards Workbench: one folder per rule, `index.json` lists them all, one
commit per publication and one tag per version. Clone it freely to mirror every published rule.
"""
TRAILERS = ("Rule", "Revision", "Stage", "Checksum", "Publisher")  # the lines `history` reads back
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
INIT_WAIT_SECONDS = 5  # how long a half-created repository is given to be complete
_thread_lock = threading.Lock()  # flock excludes processes; this keeps one process's threads in order too


class RepositoryError(RuntimeError):
    """The publication repository cannot be used (path, permissions, a broken repository)."""


@dataclass(frozen=True)
class Published:
    commit: str
    tag: str
    created: bool  # False when the same files were already published


@dataclass(frozen=True)
class Version:
    commit: str
    tag: str
    date: str  # ISO 8601, UTC
    message: str
    stage: str
    revision: int | None
    note: str = ""  # why the publisher sent this version out (the commit message's body)

    @property
    def published_at(self) -> datetime:
        """When the version was published, aware (pages show it in the configured zone)."""
        return datetime.fromisoformat(self.date)


def slugify(text: str) -> str:
    """ "Lithium-ion batteries" → "lithium-ion-batteries"; "" when nothing ASCII is left."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:60].strip("-")


def tag_name(text: str) -> str:
    """A git tag from a standard number or a stage label: "GB/T 44905—2024" → "GB-T-44905-2024"."""
    return "-".join(re.findall(r"[A-Za-z0-9.]+", text.replace("/", " "))).strip(".-")


@functools.lru_cache(maxsize=8)
def _ref_reader(path: str) -> git.Repo:
    """A Repo object used only to find where its ref files are; making one reads the git config (a
    millisecond), so each process keeps one per repository. The refs themselves are read anew."""
    return git.Repo(path)


class PublicationRepository:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    # -- reading ------------------------------------------------------------------------------

    def exists(self) -> bool:
        return (self.path / ".git").is_dir()

    def repo(self) -> git.Repo:
        try:
            return git.Repo(self.path)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as error:
            raise RepositoryError(f"{self.path} 不是发布仓库：{error}") from error

    def head(self) -> str | None:
        """The commit the portal shows, or None before the first publication."""
        if not self.exists():
            return None
        try:
            # Read from the ref files, afresh each time: asking for the commit object would
            # start a git process, on every page of the portal.
            return git.SymbolicReference.dereference_recursive(_ref_reader(str(self.path)), "HEAD")
        except ValueError:  # no commit yet
            return None

    def read(self, commit: str, path: str) -> bytes | None:
        """A file as it was at `commit`, or None when it did not exist there."""
        try:
            with self.repo() as repo:
                return (repo.commit(commit).tree / path).data_stream.read()
        except (KeyError, ValueError, git.BadName, RepositoryError):
            return None

    def index(self, commit: str | None = None) -> list[dict]:
        commit = commit or self.head()
        data = self.read(commit, INDEX) if commit else None
        return json.loads(data) if data else []

    def history(self, slug: str) -> list[Version]:
        """Every published version of one rule, newest first, with its tag."""
        if not self.head():
            return []
        with self.repo() as repo:
            tags = {tag.commit.hexsha: tag.name for tag in repo.tags}
            versions = []
            for commit in repo.iter_commits(paths=f"{slug}/rule.json"):
                trailers = dict(_trailers(commit.message))
                versions.append(
                    Version(
                        commit=commit.hexsha,
                        tag=tags.get(commit.hexsha, ""),
                        date=commit.committed_datetime.astimezone(UTC).isoformat(),
                        message=commit.summary,
                        stage=trailers.get("Stage", ""),
                        revision=int(trailers["Revision"]) if trailers.get("Revision", "").isdigit() else None,
                        note=note_of(commit.message),
                    )
                )
            return versions

    # -- writing ------------------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[git.Repo]:
        """The repository, created if need be, held exclusively until the block ends."""
        with _thread_lock:
            repo = self._ensure()
            with open(Path(repo.git_dir) / LOCK_FILE, "w") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield repo
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
                    repo.close()

    def _ensure(self) -> git.Repo:
        """The repository, created on the first publication. Two processes publishing first at the
        same moment may both start `git init`: one of them can fail (a file the other just wrote)
        or find `.git` before the other has finished. Either way it waits a little for the
        repository to be complete and uses it."""
        if not self.exists():
            try:
                self.path.mkdir(parents=True, exist_ok=True)
                return git.Repo.init(self.path, initial_branch="main")
            except (OSError, git.GitCommandError) as error:
                if not self.exists():  # nobody else is creating it: a real failure
                    raise RepositoryError(f"无法在 {self.path} 创建发布仓库：{error}") from error
        deadline = time.monotonic() + INIT_WAIT_SECONDS
        while True:
            try:
                return git.Repo(self.path)
            except git.InvalidGitRepositoryError:
                if time.monotonic() > deadline:
                    return self.repo()  # raises RepositoryError naming the folder
                time.sleep(0.05)

    def publish(
        self,
        slug: str,
        files: dict[str, bytes],
        entry: dict,
        *,
        message: str,
        tag: str,
        author: git.Actor,
        date: datetime | None = None,
    ) -> Published:
        """Write one rule's files and its index entry, commit them and tag the commit. Files
        that are byte for byte what HEAD already has make no commit (and no new tag). `date`: the
        commit's author and committer date, which the version history shows (default: now; the
        demo passes the day its backdated story published the rule)."""
        if not _SLUG.match(slug):
            raise ValueError(f"not a folder name: {slug!r}")
        if set(files) != set(FILES):
            raise ValueError(f"a publication writes exactly {FILES}")
        with self.locked() as repo:
            has_head = repo.head.is_valid()
            if has_head and self.read(repo.head.commit.hexsha, f"{slug}/rule.json") == files["rule.json"]:
                # The same rule, revision and stage (rule.json carries all three and the checksum):
                # already published, whatever a newer renderer would make of the PDF.
                last = next(repo.iter_commits(paths=f"{slug}/rule.json", max_count=1))
                return Published(last.hexsha, _tag_of(repo, last.hexsha) or tag, created=False)
            try:
                self._write(repo, slug, files, entry, has_head)
                repo.index.add([f"{slug}/{name}" for name in FILES] + [INDEX, "README.md"])
                if has_head and not repo.index.diff("HEAD"):
                    existing = _tag_of(repo, repo.head.commit.hexsha) or tag
                    return Published(repo.head.commit.hexsha, existing, created=False)
                commit = repo.index.commit(
                    message, author=author, committer=COMMITTER, author_date=date, commit_date=date
                )
                final_tag = _free_tag(repo, tag)
                repo.create_tag(final_tag, ref=commit, message=message.splitlines()[0])
                return Published(commit.hexsha, final_tag, created=True)
            except BaseException:
                _restore(repo, has_head, slug)
                raise

    def _write(self, repo: git.Repo, slug: str, files: dict[str, bytes], entry: dict, has_head: bool) -> None:
        folder = self.path / slug
        folder.mkdir(exist_ok=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        index = {item["slug"]: item for item in (self.index(repo.head.commit.hexsha) if has_head else [])}
        index[slug] = entry
        listing = json.dumps([index[key] for key in sorted(index)], ensure_ascii=False, indent=2) + "\n"
        (self.path / INDEX).write_text(listing, encoding="utf-8")
        (self.path / "README.md").write_text(README, encoding="utf-8")


def _trailers(message: str) -> Iterator[tuple[str, str]]:
    for line in message.splitlines():
        key, separator, value = line.partition(": ")
        if separator and key in TRAILERS:
            yield key, value.strip()


def note_of(message: str) -> str:
    """The publisher's note in a commit message `commit_message` wrote: the paragraphs between
    the summary line and the trailers ("" when there is none)."""
    body = message.split("\n", 1)[1] if "\n" in message else ""
    trailers = {f"{key}: {value}" for key, value in _trailers(body)}
    return "\n".join(line for line in body.splitlines() if line.strip() not in trailers).strip()


def _tag_of(repo: git.Repo, commit: str) -> str | None:
    return next((tag.name for tag in repo.tags if tag.commit.hexsha == commit), None)


def _free_tag(repo: git.Repo, tag: str) -> str:
    """`tag`, or `tag-2`, `tag-3`… when a tag of that name exists (tags are never moved)."""
    names = {existing.name for existing in repo.tags}
    candidate, number = tag, 2
    while candidate in names:
        candidate, number = f"{tag}-{number}", number + 1
    return candidate


def _restore(repo: git.Repo, has_head: bool, slug: str) -> None:
    """Put the working tree and index back as HEAD has them after a failed publication."""
    if has_head:
        repo.git.reset("--hard", "HEAD")
        repo.git.clean("-fdq", "--", slug)
    else:
        for name in (slug, INDEX, "README.md"):
            target = Path(repo.working_tree_dir) / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
        repo.git.read_tree("--empty")


def commit_message(
    *,
    title: str,
    rule: str,
    revision: int,
    stage: str,
    stage_label: str,
    publisher: str,
    checksum: str,
    note: str = "",
) -> str:
    """ "发布 … 征求意见稿" and a body of trailers that `history` reads back."""
    summary = f"发布 {title}（{stage_label}）" if stage_label else f"发布 {title}"
    lines = [summary, ""]
    if note.strip():
        lines += [note.strip(), ""]
    lines += [
        f"Rule: {rule}",
        f"Revision: {revision}",
        f"Stage: {stage}",
        f"Publisher: {publisher}",
        f"Checksum: {checksum}",
    ]
    return "\n".join(lines) + "\n"
