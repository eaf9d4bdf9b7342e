"""The columns of the member and unit sheets, and the words allowed in them.

The sheet format is Chinese by definition (it is the format 党务工作者 keep), so the
headers and values here are data, not translatable UI text.
"""

from org.models import Gender, PoliticalStatus, UnitType

from .excel import Column

GENDER_WORDS = {
    "男": Gender.MALE,
    "女": Gender.FEMALE,
    "M": Gender.MALE,
    "F": Gender.FEMALE,
}
GENDER_LABELS = {Gender.MALE: "男", Gender.FEMALE: "女"}

STATUS_WORDS = {
    "正式党员": PoliticalStatus.FULL,
    "中共党员": PoliticalStatus.FULL,
    "党员": PoliticalStatus.FULL,
    "预备党员": PoliticalStatus.PROBATIONARY,
    "中共预备党员": PoliticalStatus.PROBATIONARY,
    "入党积极分子": PoliticalStatus.ACTIVIST,
    "积极分子": PoliticalStatus.ACTIVIST,
    "群众": PoliticalStatus.MASSES,
}
STATUS_LABELS = {
    PoliticalStatus.FULL: "正式党员",
    PoliticalStatus.PROBATIONARY: "预备党员",
    PoliticalStatus.ACTIVIST: "入党积极分子",
    PoliticalStatus.MASSES: "群众",
}

UNIT_TYPE_LABELS = {
    UnitType.COMMITTEE: "党委",
    UnitType.GENERAL_BRANCH: "党总支",
    UnitType.BRANCH: "党支部",
    UnitType.JOINT_BRANCH: "联合党支部",
    UnitType.MOBILE_BRANCH: "流动党支部",
    UnitType.GROUP: "党小组",
}
UNIT_TYPE_WORDS = {label: value for value, label in UNIT_TYPE_LABELS.items()}
UNIT_TYPE_WORDS.update(
    {"党总支部": UnitType.GENERAL_BRANCH, "总支": UnitType.GENERAL_BRANCH}
)

MEMBER_COLUMNS = [
    Column("real_name", "姓名", required=True, aliases=("党员姓名",), width=12),
    Column("gender", "性别", choices=("男", "女"), width=8),
    Column("birth_date", "出生日期", aliases=("出生年月",), width=14),
    Column("joined_party_on", "入党日期", aliases=("入党时间",), width=14),
    Column(
        "status",
        "政治面貌",
        required=True,
        aliases=("党员类别",),
        choices=tuple(STATUS_LABELS.values()),
        width=14,
    ),
    Column("post", "党内职务", aliases=("职务",), width=14),
    Column(
        "phone",
        "手机号",
        required=True,
        aliases=("手机", "手机号码", "联系电话"),
        width=16,
    ),
    Column(
        "employee_no", "工号", required=True, aliases=("员工编号", "职工号"), width=14
    ),
    Column(
        "unit",
        "所属单位编码",
        required=True,
        aliases=("单位编码", "所属单位", "所属支部", "所在支部"),
        width=18,
    ),
]
MEMBER_EXPORT_EXTRA = [Column("unit_name", "所属单位名称", width=28)]

UNIT_COLUMNS = [
    Column("code", "单位编码", required=True, aliases=("编码",), width=16),
    Column("name", "单位名称", required=True, aliases=("名称", "组织名称"), width=30),
    Column("parent", "上级单位编码", aliases=("上级编码", "上级单位"), width=16),
    Column(
        "unit_type",
        "单位类型",
        required=True,
        aliases=("组织类型", "类型"),
        choices=tuple(UNIT_TYPE_LABELS.values()),
        width=14,
    ),
    Column("sort_order", "排序", aliases=("排序号",), width=8),
]

MEMBER_NOTES = [
    "党员信息导入说明（带 * 的列必须填写）",
    "1. 工号是每名党员的唯一标识：再次导入同一工号会更新该党员信息，不会重复创建。",
    "2. 所属单位编码：填写单位编码（也可填写单位全称），须在您的管理范围内。",
    "3. 政治面貌：正式党员、预备党员、入党积极分子或群众。",
    "4. 日期格式：1985-03-12、1985/3/12、1985年3月12日 或 1985.03.12 均可。",
    "5. 手机号为 11 位大陆手机号；新账号初始密码为手机号后六位，首次登录须修改。",
    "6. 文件中任何一行有错误时，整个文件都不会导入；"
    "请按提示的行号和列名修改后重新上传。",
]
UNIT_NOTES = [
    "组织机构导入说明（带 * 的列必须填写）",
    "1. 单位编码唯一：再次导入同一编码会更新名称、类型、排序和上级单位。",
    "2. 上级单位编码：填写已有单位或本文件中其他行的编码；"
    "只有平台管理员可以留空（创建顶级单位）。",
    "3. 单位类型：党委、党总支、党支部、联合党支部、流动党支部或党小组。",
    "4. 文件中任何一行有错误时，整个文件都不会导入。",
]
