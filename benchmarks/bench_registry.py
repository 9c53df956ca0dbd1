"""What the registry list costs at 10,000 standards: its pages and filters, and the API's.

Usage: python benchmarks/bench_registry.py [STANDARDS]   (make bench runs it)
Runs on a fresh SQLite file, or in a fresh PostgreSQL database when WORKBENCH_TEST_DATABASE_URL
names a server. Requests are anonymous (the registry is public) and in-process (no network).
Each case is requested once to warm up, then REPEATS times; the median and the slowest are
printed in milliseconds, with the SQL statements each request sends and the full garbage
collections that fell within the timed requests (each adds tens of ms to one request).
Before timing, every case is checked: 200, and exactly the rows the filters should give, in
order, computed here from the seeded data (so an empty or wrong page cannot pass for fast).
"""

import csv
import gc
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
from sqlalchemy import event, func, insert, select, text  # noqa: E402

from tests.conftest import ADMIN, fresh_database, make_app  # noqa: E402
from workbench.db import db  # noqa: E402
from workbench.registry import numbers, service  # noqa: E402
from workbench.registry.models import Level, Nature, Product, Standard, StandardNumber, Status  # noqa: E402
from workbench.registry.seed import PRODUCTS_FILE  # noqa: E402
from workbench.registry.service import ProductInput, create_product  # noqa: E402

STANDARDS = 10_000
PRODUCTS = 30
REPEATS = 20
PAGE_SIZE = 50  # the list's page size (workbench.registry.views.PAGE_SIZE)
TITLE_PREFIX = "温室气体 产品碳足迹量化方法与要求"
# The general standard, registered first; the number searches look for it in other printed forms.
KNOWN_NUMBER = "GB/T 24067—2024"

# Stored status → share of the registry. Projects (planned, drafting, consultation) have no number,
# no dates and so no year, as the service stores them.
STATUS_WEIGHTS = {
    Status.PUBLISHED: 45,
    Status.UNDER_REVISION: 8,
    Status.REPLACED: 10,
    Status.WITHDRAWN: 7,
    Status.PLANNED: 10,
    Status.DRAFTING: 12,
    Status.CONSULTATION: 8,
}
LEVEL_WEIGHTS = {Level.NATIONAL: 25, Level.INDUSTRY: 20, Level.LOCAL: 20, Level.GROUP: 25, Level.ENTERPRISE: 10}
INDUSTRY = {  # code → issuing ministry, sector committee
    "YS": ("工业和信息化部", "全国有色金属标准化技术委员会"),
    "YB": ("工业和信息化部", "全国钢标准化技术委员会"),
    "JC": ("工业和信息化部", "全国水泥标准化技术委员会"),
    "HG": ("工业和信息化部", "全国化学标准化技术委员会"),
    "SH": ("工业和信息化部", "全国石油化工标准化技术委员会"),
    "SJ": ("工业和信息化部", "全国电子产品环境标准化技术委员会"),
    "QC": ("工业和信息化部", "全国汽车标准化技术委员会"),
    "NB": ("国家能源局", "能源行业碳足迹标准化技术委员会"),
    "DL": ("国家能源局", "电力行业节能标准化技术委员会"),
    "HJ": ("生态环境部", "生态环境部环境标准研究所"),
}
REGIONS = ["34", "11", "31", "32", "33", "37", "44", "51", "15", "65", "3306", "3205", "4403", "3702"]
CITIES = {"3306": "绍兴市", "3205": "苏州市", "4403": "深圳市", "3702": "青岛市"}
MUNICIPALITIES = {"11", "12", "31", "50"}
AUTONOMOUS = {
    "15": "内蒙古自治区",
    "45": "广西壮族自治区",
    "54": "西藏自治区",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}
GROUPS = {
    "T/CISA": "中国钢铁工业协会",
    "T/CNIA": "中国有色金属工业协会",
    "T/CECA-G": "中国节能协会",
    "T/CSTE": "中国技术经济学会",
    "T/CAS": "中国标准化协会",
    "T/CEEIA": "中国电器工业协会",
    "T/CPIA": "中国光伏行业协会",
    "T/CIAPS": "中国化学与物理电源行业协会",
}
ENTERPRISES = {
    "Q/GDW": "国家电网有限公司",
    "Q/SH": "中国石油化工集团有限公司",
    "Q/CNPC": "中国石油天然气集团有限公司",
    "Q/BQB": "宝山钢铁股份有限公司",
    "Q/CHALCO": "中国铝业股份有限公司",
}
NATIONAL_ISSUER = "国家市场监督管理总局 国家标准化管理委员会"
NATIONAL_COMMITTEES = ["SAC/TC548"] * 7 + ["SAC/TC274、SAC/TC548", "SAC/TC20", "SAC/TC243"]
NOTES = [
    "",
    "",
    "",
    "",
    "声明单位 1 t；从摇篮到大门",
    "截止准则：单项 1%，合计 5%",
    "与 ISO 14067:2018 一致性程度：MOD",
]


# --- seeding --------------------------------------------------------------------------------------


def seed_products(session) -> list[Product]:
    """The first PRODUCTS rows of the shipped catalogue, through the service (audited)."""
    products: dict[str, Product] = {}
    with PRODUCTS_FILE.open(encoding="utf-8") as file:
        for row in list(csv.DictReader(file))[:PRODUCTS]:
            products[row["product"]] = create_product(
                session,
                ProductInput(
                    name=row["product"],
                    aliases=row["aliases"],
                    parent=products.get(row["parent"]),
                    side=row["side"],
                    end_use=row["end_use"],
                    source=row["source"],
                ),
                by=ADMIN,
            )
            # As the registry's seed (and priority batch 1 of the catalogue) sets it.
            products[row["product"]].priority_category = row["category"] or None
    session.commit()
    return list(products.values())


class NumberMaker:
    """Numbers that are all different, in the forms each level uses, read back by numbers.parse."""

    def __init__(self, rng: random.Random, today: date):
        self.rng, self.today = rng, today
        self.next_sequence: dict[str, int] = {}
        self.taken = {numbers.parse(KNOWN_NUMBER, today).key}

    def _sequence(self, code: str, start: int, width: int = 0) -> str:
        value = self.next_sequence.get(code, start) + self.rng.randint(1, 5)
        self.next_sequence[code] = value
        return str(value).zfill(width)

    def make(self, level: Level, year: int) -> numbers.StandardNumber:
        rng = self.rng
        part = f".{rng.randint(1, 4)}" if rng.random() < 0.08 else ""
        if level is Level.NATIONAL:
            prefix = rng.choices(["GB/T", "GB", "GB/Z"], [85, 10, 5])[0]
            text = f"{prefix} {self._sequence('GB', 30000)}{part}—{year}"
        elif level is Level.INDUSTRY:
            code = rng.choice(list(INDUSTRY))
            prefix = code + ("/T" if rng.random() < 0.85 else "")
            text = f"{prefix} {self._sequence(code, rng.randint(1000, 3000))}{part}—{year}"
        elif level is Level.LOCAL:
            region = rng.choice(REGIONS)
            prefix = f"DB{region}/T" if rng.random() < 0.9 else f"DB{region}/"
            sequence = self._sequence("DB" + region, 0, 3) if len(region) == 4 else self._sequence("DB" + region, 4000)
            text = f"{prefix} {sequence}{part}—{year}"
        elif level is Level.GROUP:
            code = rng.choice(list(GROUPS))
            text = f"{code} {self._sequence(code, 0, 4)}{part}—{year}"
        else:
            code = rng.choice(list(ENTERPRISES))
            text = f"{code} {self._sequence(code, 10000)}{part}—{year}"
        number = numbers.parse(text, self.today)
        assert number.canonical == text and number.level is level, (text, number)
        assert number.key not in self.taken, text
        self.taken.add(number.key)
        return number


def issuing_region(region: str) -> str:
    """The issuing government's name: "34" → 安徽省, "11" → 北京市, "65" → 新疆维吾尔自治区, "3306" → 绍兴市."""
    if region in CITIES:
        return CITIES[region]
    if region in AUTONOMOUS:
        return AUTONOMOUS[region]
    return numbers.PROVINCES[region] + ("市" if region in MUNICIPALITIES else "省")


def standard_rows(count: int, products: list[Product], today: date) -> tuple[list[dict], list[list]]:
    """`count` standards as the service would store them, and the parsed numbers of each."""
    rng = random.Random(24067)
    maker = NumberMaker(rng, today)
    years = list(range(2010, today.year + 1))
    year_weights = [year - 2009 for year in years]  # carbon-footprint standards are mostly recent
    per_product: dict[int | None, int] = {}
    rows, parsed_numbers = [], []
    for index in range(count):
        level = rng.choices(list(LEVEL_WEIGHTS), list(LEVEL_WEIGHTS.values()))[0]
        status = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
        product = rng.choice(products) if rng.random() < 0.92 else None
        if index == 0:
            level, status, product = Level.NATIONAL, Status.PUBLISHED, None
        parsed: list[numbers.StandardNumber] = []
        published = implemented = withdrawn = None
        if status in service.NUMBERED:
            year = 2024 if index == 0 else rng.choices(years, year_weights)[0]
            parsed = [numbers.parse(KNOWN_NUMBER, today) if index == 0 else maker.make(level, year)]
            if level is Level.GROUP and rng.random() < 0.04:  # issued jointly by two associations
                parsed.append(maker.make(level, year))
            published = date(year, 1, 1) + timedelta(days=rng.randrange(min(365, (today - date(year, 1, 1)).days)))
            if rng.random() < 0.95:
                implemented = published + timedelta(days=rng.choice([0, 90, 120, 180, 183, 270]))
            if status is Status.WITHDRAWN:
                withdrawn = min(published + timedelta(days=rng.randint(365, 2000)), today)
        first = parsed[0] if parsed else None
        per_product[product and product.id] = per_product.get(product and product.id, 0) + 1
        subject = product.name if product else "通用要求"
        if level is Level.NATIONAL:
            issuer, committee = NATIONAL_ISSUER, rng.choice(NATIONAL_COMMITTEES)
        elif level is Level.INDUSTRY:
            issuer, committee = INDUSTRY[first.code] if first else rng.choice(list(INDUSTRY.values()))
            committee = "SAC/TC548" if rng.random() < 0.15 else committee
        elif level is Level.LOCAL:
            region = first.region if first else rng.choice(REGIONS)
            issuer, committee = (
                f"{issuing_region(region)}市场监督管理局",
                f"{issuing_region(region[:2])}碳达峰碳中和标准化技术委员会",
            )
        elif level is Level.GROUP:
            issuer, committee = (GROUPS[first.code] if first else rng.choice(list(GROUPS.values()))), ""
        else:
            issuer, committee = (ENTERPRISES[first.code] if first else rng.choice(list(ENTERPRISES.values()))), ""
        region_label = ""
        if level is Level.LOCAL and first:  # as the service fills it in from the number
            region_label = numbers.PROVINCES[first.region[:2]] + (
                f"（{first.region}）" if len(first.region) == 4 else ""
            )
        rows.append(
            {
                "level": level,
                "nature": first.nature if first else Nature.RECOMMENDED,
                "numbers": " / ".join(number.canonical for number in parsed),
                "title": f"{TITLE_PREFIX} {subject} {per_product[product and product.id]}"
                if index
                else "温室气体 产品碳足迹 量化要求和指南",
                "title_en": None,
                "product_id": product.id if product else None,
                "status": status,
                "issuer": issuer,
                "committee": committee,
                "association": issuer if level is Level.GROUP else "",
                "region": region_label,
                "year": first.year if first else None,
                "published_on": published,
                "implemented_on": implemented,
                "withdrawn_on": withdrawn,
                "note": rng.choice(NOTES),
                "version": 1,
                "archived_at": datetime.now().astimezone() if index and rng.random() < 0.01 else None,
            }
        )
        parsed_numbers.append(parsed)
    return rows, parsed_numbers


def seed_standards(session, count: int, products: list[Product], today: date) -> None:
    """Core inserts (the service would spend minutes on level checks and audit events)."""
    rows, parsed_numbers = standard_rows(count, products, today)
    standards, standard_numbers = Standard.__table__, StandardNumber.__table__
    for start in range(0, count, 2000):
        ids = session.scalars(
            insert(standards).returning(standards.c.id, sort_by_parameter_order=True), rows[start : start + 2000]
        ).all()
        number_rows = [
            {"standard_id": standard_id, "position": position, "number": number.canonical, "key": number.key}
            for standard_id, parsed in zip(ids, parsed_numbers[start : start + 2000], strict=True)
            for position, number in enumerate(parsed)
        ]
        if number_rows:
            session.execute(insert(standard_numbers), number_rows)
    session.commit()
    if db.engine.dialect.name == "postgresql":  # as autovacuum would after a bulk load
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE products, standards, standard_numbers"))


def load_registry(session) -> list[dict]:
    """Every standard with its number keys, to compute what each filtered page must show."""
    keys: dict[int, list[str]] = {}
    for standard_id, key in session.execute(select(StandardNumber.standard_id, StandardNumber.key)):
        keys.setdefault(standard_id, []).append(key)
    standards = Standard.__table__
    return [{**row._asdict(), "keys": keys.get(row.id, [])} for row in session.execute(select(standards))]


# --- measuring ------------------------------------------------------------------------------------


def full_width(text: str) -> str:
    """As a Chinese input method in full-width mode types it: ＧＢ／Ｔ　２４０６７－２０２４."""
    return "".join(
        "\u3000" if char == " " else "－" if char == "—" else chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char
        for char in text
    )


def matcher(today: date, *, q="", level=None, status=None, product=None, committee="", year=None):
    """The filters of workbench.registry.service.search, restated in Python (for the statuses
    measured here: "in_force" and the stored ones other than "published")."""

    def matches(row: dict) -> bool:
        if row["archived_at"] is not None:
            return False
        if q:
            words = " ".join(q.split())
            key = numbers.search_key(words)
            in_title = words.lower() in row["title"].lower() or words.lower() in (row["title_en"] or "").lower()
            if not (in_title or any(key in number_key for number_key in row["keys"])):
                return False
        if level and row["level"] != level:
            return False
        if status == "in_force":
            if row["status"] != Status.PUBLISHED or row["implemented_on"] is None or row["implemented_on"] > today:
                return False
        elif status and row["status"] != status:
            return False
        if product and row["product_id"] != product:
            return False
        if committee and committee.lower() not in row["committee"].lower():
            return False
        return not (year and row["year"] != year)

    return matches


def expected_page(registry: list[dict], matches, page: int, per_page: int = PAGE_SIZE) -> tuple[list[int], int]:
    found = sorted(
        (row for row in registry if matches(row)),
        key=lambda row: (row["year"] is None, -(row["year"] or 0), -row["id"]),
    )
    return [row["id"] for row in found[(page - 1) * per_page : page * per_page]], len(found)


def page_ids(response) -> list[int]:
    if response.is_json:
        return [item["id"] for item in response.json["items"]]
    body = re.search(r'<table class="table" id="standards">(.*?)</table>', response.text, re.S)[1]
    return [int(found) for found in re.findall(r'<td class="nowrap">\s*<a href="/standards/(\d+)"', body)]


class Counters:
    """SQL statements sent (an engine event) and full garbage collections run (gc.callbacks):
    a full collection of this process's heap takes tens of milliseconds and explains most of the
    slowest requests; the medians are what a request costs."""

    def __init__(self, engine):
        self.statements = self.full_collections = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        gc.callbacks.append(self._collection)

    def _statement(self, *args):
        self.statements += 1

    def _collection(self, phase, info):
        if phase == "start" and info["generation"] == 2:
            self.full_collections += 1


def measure(client, counters: Counters, target: str, expected: list[int]) -> dict:
    response = client.get(target)  # warm-up, and the check that the page holds what it should
    assert response.status_code == 200, (target, response.status_code)
    assert expected, f"{target}: the seeded data has no matching row; the case would measure nothing"
    assert page_ids(response) == expected, (target, page_ids(response)[:5], expected[:5])
    timings, statements = [], []
    counters.full_collections = 0
    for _ in range(REPEATS):
        counters.statements = 0
        started = time.perf_counter()
        response = client.get(target)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (target, response.status_code)
        statements.append(counters.statements)
    return {
        "median": statistics.median(timings),
        "max": max(timings),
        "statements": max(statements),
        "full_collections": counters.full_collections,
    }


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else STANDARDS
    with tempfile.TemporaryDirectory() as root, fresh_database(Path(root), "bench") as url:
        app = make_app(url, Path(root), TESTING=False)
        with app.app_context():
            flask_migrate.upgrade()
            today = service.today()
            started = time.perf_counter()
            products = seed_products(db.session)
            seed_standards(db.session, count, products, today)
            seeding = time.perf_counter() - started
            backend = db.engine.dialect.name
            server = db.session.scalar(text("SELECT version()")) if backend == "postgresql" else None
            server = (
                server.split(" on ")[0] if server else f"SQLite {db.session.scalar(text('SELECT sqlite_version()'))}"
            )
            totals = {
                "products": db.session.scalar(select(func.count()).select_from(Product)),
                "standards": db.session.scalar(select(func.count()).select_from(Standard)),
                "standard numbers": db.session.scalar(select(func.count()).select_from(StandardNumber)),
            }
            registry = load_registry(db.session)
            product = next(p for p in products if p.name == "电解铝")
            product_id, product_name = product.id, product.name
            counters = Counters(db.engine)
            db.session.remove()

        deep = max(1, min(100, sum(row["archived_at"] is None for row in registry) // PAGE_SIZE))
        # (label, path, query); the query's filters are also what matcher() takes.
        number = KNOWN_NUMBER
        cases = [
            ("no filters, page 1", "/standards", {}),
            (f"no filters, page {deep}", "/standards", {"page": deep}),
            ("q= exact number, no spaces", "/standards", {"q": numbers.search_key(number)}),
            ("q= exact number, full width", "/standards", {"q": full_width(number)}),
            ("q= partial number 4067", "/standards", {"q": "4067"}),
            ("q= title word: a product name", "/standards", {"q": product_name}),
            ("q= title word in every title", "/standards", {"q": "碳足迹"}),
            ("level=group", "/standards", {"level": "group"}),
            ("status=in_force", "/standards", {"status": "in_force"}),
            ("product=<id>", "/standards", {"product": product_id}),
            ("committee=TC548", "/standards", {"committee": "TC548"}),
            ("year=2024", "/standards", {"year": 2024}),
            (
                "level+status+year+q (group, in force, 2024, CISA)",
                "/standards",
                {"level": "group", "status": "in_force", "year": 2024, "q": "CISA"},
            ),
            (
                "API per_page=50, national in force",
                "/api/v1/standards",
                {"per_page": 50, "level": "national", "status": "in_force"},
            ),
        ]
        planned = []
        for label, path, query in cases:
            filters = {key: value for key, value in query.items() if key not in ("page", "per_page")}
            page, per_page = query.get("page", 1), query.get("per_page", PAGE_SIZE)
            expected, matching = expected_page(registry, matcher(today, **filters), page, per_page)
            planned.append((label, path + (f"?{urlencode(query)}" if query else ""), expected, matching))
        del registry  # 10,000 dicts would make every full garbage collection slower
        gc.collect()
        gc.freeze()  # as a server worker does once its app is loaded (workbench/serve.py)
        client = app.test_client()
        results = {}
        for label, target, expected, matching in planned:
            results[label] = {"matching": matching, **measure(client, counters, target, expected)}
        with app.app_context():
            db.engine.dispose()

    print(
        f"date: {datetime.now().date()}  machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.platform()}, Python {platform.python_version()}"
    )
    print(f"backend: {backend} ({server})  " + ", ".join(f"{name}: {n:,}" for name, n in totals.items()))
    print(f"seeded in {seeding:.1f} s; anonymous GET, {REPEATS} timed requests per case after one warm-up")
    print(f"  {'case':<50} {'matching':>8} {'median':>9} {'max':>9} {'statements':>10} {'full GCs':>8}")
    for label, result in results.items():
        print(
            f"  {label:<50} {result['matching']:>8,} {result['median']:>6.1f} ms {result['max']:>6.1f} ms "
            f"{result['statements']:>10} {result['full_collections']:>8}"
        )


if __name__ == "__main__":
    main()
