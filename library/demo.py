"""Demo libraries: 制度库, 资源库 and 案例库 with a category catalogue, 30+ documents
written for the demo group, attachments whose text is only inside the file, and —
when ../shared/corpus/policy_docs_zh is present — real public Chinese documents
(laws, work reports, the Party constitution) with their source noted.

Idempotent: pages are found by slug.
"""

import datetime
import io
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.html import escape
from django.utils.text import slugify
from wagtail.documents import get_document_model
from wagtail.models import Page

from cms.models import HomePage
from org.models import Unit

from .models import CasePage, DocumentPage, LibraryIndexPage, PageAttachment
from .services.attachments import page_attachments_index
from .services.categories import category_ensure


def corpus_dir() -> Path:
    return Path(settings.DEMO_CORPUS_DIR)


HANDBOOK = ("handbook", "党支部工作手册")
CATEGORIES = {
    "org-setup": [HANDBOOK, ("org-setup", "组织设置")],
    "three-one": [HANDBOOK, ("three-one", "三会一课")],
    "development": [HANDBOOK, ("development", "党员发展")],
    "education": [HANDBOOK, ("education", "党员教育")],
    "dues": [HANDBOOK, ("dues", "党费收缴")],
    "life-meeting": [HANDBOOK, ("life-meeting", "组织生活会")],
    "appraisal": [HANDBOOK, ("appraisal", "民主评议")],
    "laws": [("laws", "法律法规")],
    "reports": [("reports", "重要报告")],
}

LIBRARIES = [
    (
        "policies",
        "制度库",
        "policy",
        "集团及上级党组织的制度规定，现行有效、已修订和已废止的版本一并保存。",
    ),
    ("resources", "资源库", "resource", "党务工作模板、学习课件和参考资料。"),
    ("cases", "案例库", "case", "各项目部党支部的好做法、好经验。"),
]

# (library, title, 文号, issuing body, date, category, status, tags, paragraphs)
BUILTIN = [
    (
        "policies",
        "关于进一步加强党员教育培训工作的实施意见",
        "华建党发〔2025〕3号",
        "华夏建工集团党委",
        "2025-02-18",
        "education",
        "current",
        ["党员教育", "学时"],
        [
            "党员每年集中学习培训时间一般不少于32学时，基层党组织书记和班子成员每年不少于56学时。",
            "各项目部党支部要结合施工生产实际，利用班前会、夜校和线上微党课开展学习培训，做到工学两不误。",
            "学习培训情况纳入党支部年度考核和党员民主评议。",
        ],
    ),
    (
        "policies",
        "关于严格落实“三会一课”制度的通知",
        "华建党发〔2024〕17号",
        "华夏建工集团党委",
        "2024-06-03",
        "three-one",
        "current",
        ["三会一课", "组织生活"],
        [
            "支部党员大会一般每季度召开1次，支部委员会一般每月召开1次，党小组会一般每月召开1次，"
            "党课一般每季度至少1次。",
            "流动党支部和联合党支部可采取线上线下相结合的方式召开会议，会议记录须当天录入系统。",
        ],
    ),
    (
        "policies",
        "“三会一课”制度实施细则（2019年版）",
        "华建党发〔2019〕8号",
        "华夏建工集团党委",
        "2019-04-12",
        "three-one",
        "revised",
        ["三会一课"],
        [
            "本细则已由华建党发〔2024〕17号通知修订，仅供查阅。",
            "支部委员会会议由支部书记召集和主持，研究确定支部工作计划和重要事项。",
        ],
    ),
    (
        "policies",
        "党费收缴、使用和管理办法",
        "华建党发〔2023〕5号",
        "华夏建工集团党委",
        "2023-03-01",
        "dues",
        "current",
        ["党费"],
        [
            "党员应当按月交纳党费，因特殊情况可以委托他人代交，一般不得超过3个月。",
            "党支部应当每半年向党员公布一次党费收缴情况。",
        ],
    ),
    (
        "policies",
        "发展党员工作流程（试行）",
        "华建党发〔2022〕11号",
        "华夏建工集团党委",
        "2022-07-01",
        "development",
        "current",
        ["发展党员", "入党积极分子"],
        [
            "发展党员工作包括申请入党、入党积极分子的确定和教育培养、发展对象的确定和考察、"
            "预备党员的接收、预备党员的教育考察和转正等五个阶段二十五个步骤。",
            "入党积极分子经过一年以上培养教育和考察，方可列为发展对象。",
        ],
    ),
    (
        "policies",
        "组织生活会和民主评议党员工作办法",
        "华建党发〔2023〕20号",
        "华夏建工集团党委",
        "2023-11-20",
        "life-meeting",
        "current",
        ["组织生活会", "民主评议"],
        [
            "党支部每年至少召开一次组织生活会，开展批评和自我批评，一般安排在第四季度。",
            "民主评议党员按照个人自评、党员互评、民主测评、组织评定的程序进行。",
        ],
    ),
    (
        "policies",
        "项目部党支部设置和换届选举规定",
        "华建党发〔2021〕9号",
        "华夏建工集团党委",
        "2021-05-10",
        "org-setup",
        "current",
        ["支部设置", "换届"],
        [
            "正式党员3人以上的项目部应当单独成立党支部；不足3人的，可以与邻近项目部联合成立联合党支部。",
            "党支部委员会每届任期3年，任期届满应当按期进行换届选举。",
        ],
    ),
    (
        "policies",
        "党员积分管理办法（已废止）",
        "华建党发〔2018〕2号",
        "华夏建工集团党委",
        "2018-01-15",
        "appraisal",
        "repealed",
        ["积分"],
        ["本办法自2023年1月1日起废止，党员积分改由智学平台统一记录。"],
    ),
    (
        "policies",
        "关于加强项目部流动党员管理的通知",
        "华建一党发〔2025〕6号",
        "第一工程公司党委",
        "2025-04-08",
        "org-setup",
        "current",
        ["流动党员"],
        [
            "流动党员外出前应当向所在党支部报告，外出期间参加流入地项目部党支部的组织生活。"
        ],
    ),
    (
        "policies",
        "安全生产标准化建设中发挥党员先锋模范作用的意见",
        "华建二党发〔2024〕12号",
        "第二工程公司党委",
        "2024-09-09",
        "education",
        "current",
        ["安全生产", "党员先锋岗"],
        ["在高风险作业面设立党员先锋岗和党员责任区，每个班组至少有一名党员带班。"],
    ),
    (
        "policies",
        "个人信息保护工作规范",
        "华建发〔2024〕30号",
        "华夏建工集团",
        "2024-12-01",
        "laws",
        "current",
        ["个人信息", "数据安全"],
        [
            "个人信息处理者应当对其个人信息处理活动负责，并采取必要措施保障所处理的个人信息的安全。",
            "党员信息系统中的个人信息仅用于党务管理，不得向第三方提供。",
        ],
    ),
]
RESOURCE_TITLES = [
    ("党支部委员会会议记录模板", "three-one", ["模板", "会议记录"]),
    ("支部党员大会记录模板", "three-one", ["模板", "会议记录"]),
    ("党小组会记录模板", "three-one", ["模板"]),
    ("党课讲稿参考：新时代产业工人的担当", "education", ["党课", "讲稿"]),
    ("入党申请书写作指引", "development", ["入党申请书"]),
    ("发展党员工作全程纪实表", "development", ["发展党员", "模板"]),
    ("党费交纳标准计算表", "dues", ["党费", "表格"]),
    ("组织生活会对照检查材料提纲", "life-meeting", ["组织生活会"]),
    ("民主评议党员测评表", "appraisal", ["民主评议", "表格"]),
    ("项目部党建工作台账目录", "org-setup", ["台账"]),
    ("微党课制作指南（手机拍摄篇）", "education", ["微党课", "课件"]),
]
CASE_TITLES = [
    (
        "“党建+安全”双融双促：成都天府机场配套项目部的做法",
        "HX0101",
        "education",
        "把党员责任区划到每一个高风险作业面，连续600天零事故。",
    ),
    (
        "高原流动党支部如何开好“三会一课”",
        "HX0103",
        "three-one",
        "川藏铁路林芝段项目部利用卫星网络召开线上党小组会，出勤率达到98%。",
    ),
    (
        "安置房项目的“红色工地”建设",
        "HX0201",
        "education",
        "雄安新区安置房项目部在工地设立党员服务站，为农民工提供政策咨询。",
    ),
    (
        "地铁项目党员突击队攻坚盾构始发",
        "HX0203",
        "org-setup",
        "西安地铁十号线项目部组建党员突击队，提前15天完成盾构始发。",
    ),
    (
        "联合党支部的组织生活怎么过",
        "HX0302",
        "life-meeting",
        "海南自贸港片区三个项目部联合成立党支部，轮流承办主题党日活动。",
    ),
    (
        "机关党支部“一对一”结对帮扶项目部",
        "HX0301",
        "appraisal",
        "投资发展公司机关党支部与五个项目部结对，每季度至少开展一次联学。",
    ),
    (
        "党员先锋岗在物流园项目中的作用",
        "HX0202",
        "education",
        "郑州航空港物流园项目部评选党员先锋岗12个，带动班组质量提升。",
    ),
    (
        "夜校里的微党课：重庆轨道交通项目部学习培训纪实",
        "HX0102",
        "education",
        "项目部利用夜校时间组织党员学习，人均学时超过40学时。",
    ),
]
# Text that appears only inside an attached file, never on the page itself.
ATTACHMENT_ONLY_WORD = "塔吊防碰撞监测"


def _paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{escape(t)}</p>" for t in texts)


def _ensure_library(home: Page, slug: str, title: str, kind: str, intro: str):
    existing = LibraryIndexPage.objects.child_of(home).filter(slug=slug).first()
    if existing:
        return existing
    page = LibraryIndexPage(title=title, slug=slug, kind=kind, intro=f"<p>{intro}</p>")
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def _docx_bytes(title: str, lines: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx_bytes(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _attach(page, title: str, filename: str, content: bytes) -> None:
    Document = get_document_model()
    document = Document.objects.filter(title=title).first()
    if document is None:
        document = Document(title=title)
        document.file.save(filename, ContentFile(content), save=True)
    PageAttachment.objects.get_or_create(page=page, document=document)


def _publish(library, model, *, slug, **fields):
    existing = model.objects.child_of(library).filter(slug=slug).first()
    if existing:
        return existing, False
    page = model(slug=slug, **fields)
    library.add_child(instance=page)
    page.save_revision().publish()
    return page, True


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def seed_library() -> int:
    home = HomePage.objects.first()
    libraries = {
        slug: _ensure_library(home, slug, title, kind, intro)
        for slug, title, kind, intro in LIBRARIES
    }
    categories = {
        code: category_ensure(path_names=path) for code, path in CATEGORIES.items()
    }
    created = 0
    for number, (
        lib,
        title,
        doc_no,
        body_by,
        date,
        cat,
        status,
        tags,
        paras,
    ) in enumerate(BUILTIN, start=1):
        page, new = _publish(
            libraries[lib],
            DocumentPage,
            slug=f"doc-{number:03d}",
            title=title,
            doc_number=doc_no,
            issuing_body=body_by,
            issued_on=_date(date),
            effective_on=_date(date),
            status=status,
            category=categories[cat],
            summary=paras[0][:200],
            body=_paragraphs(paras),
        )
        if new:
            page.tags.add(*tags)
            page.save_revision().publish()
            created += 1
    for number, (title, cat, tags) in enumerate(RESOURCE_TITLES, start=1):
        page, new = _publish(
            libraries["resources"],
            DocumentPage,
            slug=f"resource-{number:03d}",
            title=title,
            issuing_body="集团党委组织部",
            issued_on=_date("2025-03-01"),
            status="current",
            category=categories[cat],
            summary=f"{title}，供各党支部下载使用。",
            body=_paragraphs(
                [
                    f"{title}，供各党支部下载使用。",
                    "使用中如有问题请联系集团党委组织部。",
                ]
            ),
        )
        if new:
            page.tags.add(*tags)
            page.save_revision().publish()
            created += 1
            lines = [f"{title}", "填写说明：请按实际情况填写，不得空项。"]
            if number == 11:
                lines.append(
                    f"施工现场拍摄时注意{ATTACHMENT_ONLY_WORD}设备的安全距离。"
                )
            _attach(
                page, title, f"resource-{number:03d}.docx", _docx_bytes(title, lines)
            )
            if number == 7:
                _attach(
                    page,
                    f"{title}（计算表）",
                    "dues.xlsx",
                    _xlsx_bytes(
                        [
                            ["月工资收入（税后）", "交纳比例"],
                            ["3000元以下（含）", "0.5%"],
                            ["3000-5000元（含）", "1%"],
                            ["5000-10000元（含）", "1.5%"],
                            ["10000元以上", "2%"],
                        ]
                    ),
                )
            page_attachments_index(page_id=page.pk)
    for number, (title, unit_code, cat, text) in enumerate(CASE_TITLES, start=1):
        unit = Unit.objects.filter(code=unit_code).first()
        page, new = _publish(
            libraries["cases"],
            CasePage,
            slug=f"case-{number:03d}",
            title=title,
            issuing_body=unit.name if unit else "",
            issued_on=_date("2025-06-01"),
            case_unit=unit,
            case_date=_date("2025-05-20"),
            status="current",
            category=categories[cat],
            summary=text,
            highlights=f"<p>{escape(text)}</p>",
            body=_paragraphs([text, "经验做法已在集团范围内推广。"]),
        )
        created += int(new)
    created += _seed_corpus(libraries, categories)
    return created


CORPUS_PICKS = [
    (
        "cpc_constitution/中国共产党章程_2017_zh.txt",
        "policies",
        "中国共产党章程",
        "laws",
    ),
    ("lawrefbook/031_行政法_个人信息保护法(2021-08-20).txt", "policies", None, "laws"),
]


def _corpus_files() -> list[tuple[Path, str, str | None, str]]:
    corpus = corpus_dir()
    picks = [(corpus / rel, lib, title, cat) for rel, lib, title, cat in CORPUS_PICKS]
    lawref = sorted((corpus / "lawrefbook").glob("*.txt"))
    picks += [(p, "policies", None, "laws") for p in lawref if "_案例_" not in p.name][
        1:12
    ]
    picks += [(p, "cases", None, "laws") for p in lawref if "_案例_" in p.name][:4]
    reports = sorted((corpus / "gov_work_reports").glob("gwr_*.txt"))[:3]
    picks += [(p, "resources", None, "reports") for p in reports]
    congress = sorted((corpus / "cpc_congress_reports").glob("*.txt"))[-2:]
    picks += [(p, "resources", None, "reports") for p in congress]
    return [p for p in picks if p[0].exists()]


def _seed_corpus(libraries, categories) -> int:
    """Real public documents (PRC Copyright Law Art. 5: not protected by copyright)."""
    if not corpus_dir().is_dir():
        return 0
    created = 0
    for number, (path, lib, title, cat) in enumerate(_corpus_files(), start=1):
        name = title or path.stem.split("_", 2)[-1]
        text = path.read_text(encoding="utf-8")
        paras = [line.strip().lstrip("#").strip() for line in text.splitlines()]
        paras = [p for p in paras if p][:400]
        model = CasePage if lib == "cases" else DocumentPage
        _page, new = _publish(
            libraries[lib],
            model,
            slug=f"corpus-{number:03d}-{slugify(path.stem)[:30]}",
            title=name[:255],
            status="current",
            category=categories[cat],
            summary="".join(paras[1:3])[:200],
            body=_paragraphs(paras),
            source_note=(
                f"公开文件，来源见 shared/corpus/SOURCES.md"
                f"（{path.parent.name}/{path.name}）"
            ),
        )
        created += int(new)
    return created


LESSON_PAGE_SLUG = "weidangke-sanhui-yike"


def attach_demo_lessons(lessons) -> None:
    """A 资源库 page that embeds the demo micro-lessons in its StreamField."""
    ready = [lesson for lesson in lessons if lesson.status == "ready"]
    resources = LibraryIndexPage.objects.filter(slug="resources").first()
    if not ready or resources is None:
        return
    page = DocumentPage.objects.filter(slug=LESSON_PAGE_SLUG).first()
    if page is None:
        page = DocumentPage(
            title="微党课合集：支部工作入门",
            slug=LESSON_PAGE_SLUG,
            summary="用几分钟的视频讲清楚“三会一课”和党费交纳。",
            body=_paragraphs(
                ["以下微党课可以在手机上观看，支持选择清晰度、倍速和字幕。"]
            ),
        )
        resources.add_child(instance=page)
    elif [block.value.pk for block in page.videos] == [x.pk for x in ready[:2]]:
        return
    page.videos = [("lesson", lesson) for lesson in ready[:2]]
    page.save_revision().publish()
