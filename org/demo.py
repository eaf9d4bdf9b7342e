"""A realistic demo group: one 集团党委, three 子分公司党委, project branches, Party
groups, ~300 members with plausible Chinese names, and one account per role.

Idempotent: units are matched by code, members by employee number.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction

from .models import Member, PoliticalStatus, Role, Unit, UnitType, User
from .services.members import member_create
from .services.roles import role_grant
from .services.units import unit_create

DEMO_PASSWORD = "Zhixue@2026"  # noqa: S105 (printed for the demo on purpose)

# (code, name, type, children)
TREE = (
    "HX",
    "华夏建工集团党委",
    UnitType.COMMITTEE,
    [
        (
            "HX01",
            "第一工程公司党委",
            UnitType.COMMITTEE,
            [
                ("HX0101", "成都天府机场配套项目部党支部", UnitType.BRANCH, 2),
                ("HX0102", "重庆轨道交通九号线项目部党支部", UnitType.BRANCH, 2),
                ("HX0103", "川藏铁路林芝段项目部流动党支部", UnitType.MOBILE_BRANCH, 2),
            ],
        ),
        (
            "HX02",
            "第二工程公司党委",
            UnitType.COMMITTEE,
            [
                ("HX0201", "雄安新区安置房项目部党支部", UnitType.BRANCH, 2),
                ("HX0202", "郑州航空港物流园项目部党支部", UnitType.BRANCH, 2),
                ("HX0203", "西安地铁十号线项目部党支部", UnitType.BRANCH, 2),
            ],
        ),
        (
            "HX03",
            "投资发展公司党委",
            UnitType.COMMITTEE,
            [
                ("HX0301", "机关党支部", UnitType.BRANCH, 2),
                ("HX0302", "海南自贸港片区联合党支部", UnitType.JOINT_BRANCH, 2),
            ],
        ),
    ],
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强志明海燕红梅玉"
    "兰晓东晓明文博子涵雨轩浩然欣怡思远宇航俊杰佳怡梓萱一鸣振华卫东红旗立新春生国庆建"
    "军永刚爱民淑珍丽华德胜"
)
POSTS_BRANCH = ["支部书记", "支部副书记", "组织委员", "宣传委员", "纪检委员"]


@dataclass
class DemoAccount:
    username: str
    role: str
    unit: str


def _name(rng: random.Random) -> str:
    given_len = rng.choice([1, 2, 2, 2])
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(given_len))


def _date(rng: random.Random, start_year: int, end_year: int) -> datetime.date:
    return datetime.date(
        rng.randint(start_year, end_year), rng.randint(1, 12), rng.randint(1, 28)
    )


def _ensure_unit(code, name, unit_type, parent, sort_order) -> Unit:
    existing = Unit.objects.filter(code=code).first()
    if existing:
        return existing
    return unit_create(
        parent=parent, name=name, code=code, unit_type=unit_type, sort_order=sort_order
    )


def _build_tree() -> list[Unit]:
    """Create the tree; return the leaves (党小组) and branches to fill with members."""
    code, name, unit_type, companies = TREE
    root = _ensure_unit(code, name, unit_type, None, 0)
    places = []
    for i, (c_code, c_name, c_type, branches) in enumerate(companies, start=1):
        company = _ensure_unit(c_code, c_name, c_type, root, i)
        for j, (b_code, b_name, b_type, groups) in enumerate(branches, start=1):
            branch = _ensure_unit(b_code, b_name, b_type, company, j)
            places.append(branch)
            for k in range(1, groups + 1):
                places.append(
                    _ensure_unit(
                        f"{b_code}{k:02d}",
                        f"第{'一二三四'[k - 1]}党小组",
                        UnitType.GROUP,
                        branch,
                        k,
                    )
                )
    return places


def _ensure_member(
    rng, unit, number, post="", status=None, username=None, real_name=None
) -> Member:
    employee_no = username or f"HX{number:05d}"
    member = Member.objects.filter(employee_no=employee_no).first()
    name = real_name or _name(rng)
    birth = _date(rng, 1965, 2000)
    joined = _date(rng, max(birth.year + 18, 1985), 2025)
    status = (
        status
        or rng.choices(
            [
                PoliticalStatus.FULL,
                PoliticalStatus.PROBATIONARY,
                PoliticalStatus.ACTIVIST,
                PoliticalStatus.MASSES,
            ],
            weights=[80, 8, 8, 4],
        )[0]
    )
    if member:
        return member
    return member_create(
        unit=unit,
        real_name=name,
        employee_no=employee_no,
        phone=f"1{rng.choice('35789')}{number:09d}"[:11],
        gender=rng.choice(["male", "male", "female"]),
        birth_date=birth,
        joined_party_on=joined if status in ("full", "probationary") else None,
        status=status,
        post=post,
        password=DEMO_PASSWORD if username else None,
    )


@transaction.atomic
def seed_org(*, members_total: int = 300) -> list[DemoAccount]:
    rng = random.Random(20260701)  # noqa: S311 (demo names, not secrets)
    places = _build_tree()
    branches = [u for u in places if u.unit_type != UnitType.GROUP]
    groups = [u for u in places if u.unit_type == UnitType.GROUP]
    number = 1
    for branch in branches:
        for post in POSTS_BRANCH:
            _ensure_member(rng, branch, number, post=post, status=PoliticalStatus.FULL)
            number += 1
    for group in groups:
        _ensure_member(
            rng, group, number, post="党小组组长", status=PoliticalStatus.FULL
        )
        number += 1
    while number <= members_total:
        _ensure_member(rng, rng.choice(groups), number)
        number += 1
    return _seed_accounts(rng)


def _seed_accounts(rng) -> list[DemoAccount]:
    root = Unit.objects.get(code="HX")
    company1 = Unit.objects.get(code="HX01")
    company2 = Unit.objects.get(code="HX02")
    branch = Unit.objects.get(code="HX0101")
    accounts = [
        ("admin", "系统管理员", Role.PLATFORM_ADMIN, None, root),
        ("unitadmin1", "周建华", Role.UNIT_ADMIN, company1, company1),
        ("unitadmin2", "吴晓梅", Role.UNIT_ADMIN, company2, company2),
        ("editor", "林文博", Role.EDITOR, root, root),
        ("examiner", "郑思远", Role.EXAMINER, root, root),
        ("member", "李红梅", None, None, branch),
    ]
    result = []
    for number, (username, real_name, role, scope_unit, home) in enumerate(
        accounts, start=90001
    ):
        member = _ensure_member(
            rng,
            home,
            number,
            username=username,
            real_name=real_name,
            status=PoliticalStatus.FULL,
            post="党务工作者" if role else "",
        )
        user: User = member.user
        if role:
            role_grant(user=user, role=role, unit=scope_unit)
        if role == Role.PLATFORM_ADMIN and not user.is_superuser:
            user.is_superuser = user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        result.append(
            DemoAccount(
                username=username,
                role=str(Role(role).label) if role else "党员",
                unit=scope_unit.name if scope_unit else ("全部" if role else home.name),
            )
        )
    return result
