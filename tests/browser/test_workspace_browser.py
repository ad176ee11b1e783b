"""The member's workspace in a real browser (issue 12): a member logs in at /my/login/, drafts a
proposal and invites a co-signer; the co-signer, in a browser of their own, accepts; the member
submits; the committee and the agency do their part (through the services); the member reads the
reply and rates it, 不满意 being refused without a reason. Screenshots of my proposals, the draft
form, the proposal page and the feedback form at 390 and 1366 px; no page is wider than a phone."""
import datetime
import re

import pytest

from proposals import services
from proposals.models import Proposal
from proposals.selectors import today
from replies import services as reply_services
from replies.models import Feedback
from tests.browser.conftest import VIEWPORTS, screenshot
from tests.factories import lead_assignment, make_cast, reply_drafted

PASSWORD = "member-pass-2026"
TITLE = "关于建设社区老年食堂的提案"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(transactional_db):
    cast = make_cast()
    for user in (cast.proposer_user, cast.other_proposer_user):
        user.set_password(PASSWORD)
        user.save()
    return cast


def log_in_here(page, username):
    """The workspace's own login, with the keyboard: type, then Enter."""
    page.goto("/my/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("密码").press("Enter")
    page.wait_for_url(re.compile(r"/my/$"))


def fits_a_phone(page) -> bool:
    page.set_viewport_size(VIEWPORTS["phone"])
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    page.set_viewport_size(VIEWPORTS["laptop"])
    return wide <= VIEWPORTS["phone"]["width"]


def test_a_member_drafts_invites_submits_and_rates_the_reply(page, browser, live_server, cast):
    member, cosigner = cast.proposer, cast.other_proposer

    # The member logs in and drafts, inviting a co-signer.
    log_in_here(page, cast.proposer_user.username)
    assert page.get_by_role("heading", level=1).inner_text() == "我的提案"
    page.get_by_role("link", name="起草新提案").click()
    page.get_by_label("案由").fill(TITLE)
    page.get_by_label("类别").fill("民生")
    page.get_by_label("提案内容").fill("一、存在的问题\n社区老年人就餐不便。\n二、建议\n建设社区老年食堂。")
    page.get_by_role("group", name=re.compile("邀请联名")).get_by_label(cosigner.name).check()
    assert "一事一案" in page.content()
    assert fits_a_phone(page)
    screenshot(page, "workspace-draft-form")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(r"/my/proposals/\d+/$"))
    proposal = Proposal.objects.get(title=TITLE)
    cosigners = page.locator("#cosigners")
    assert cosigner.name in cosigners.inner_text() and "待确认" in cosigners.inner_text()
    assert "暂不能提交" in page.content()

    # The co-signer, in a browser of their own, accepts.
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS["laptop"], locale="zh-CN")
    try:
        other = context.new_page()
        log_in_here(other, cast.other_proposer_user.username)
        other.get_by_role("link", name="联名邀请").click()
        other.get_by_role("button", name=f"同意联名《{TITLE}》").click()
        other.wait_for_url(re.compile(rf"/my/proposals/{proposal.pk}/$"))
        assert "您已同意联名" in other.content()
    finally:
        context.close()
    assert [s.proposer_id for s in proposal.signatures.order_by("position")] == [member.pk, cosigner.pk]

    # The member submits.
    page.reload()
    assert "已同意" in page.locator("#cosigners").inner_text()
    page.get_by_role("button", name="提交提案").click()
    page.wait_for_load_state()
    assert "提案已提交" in page.content()
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.SUBMITTED

    # The committee files and assigns it, the agency calls the member and replies, staff publish.
    proposal = Proposal.objects.get(pk=proposal.pk)
    services.proposal_file(actor=cast.staff, proposal=proposal)
    services.proposal_assign(actor=cast.staff, proposal=proposal, lead=cast.agency, co=[cast.co_agency],
                             assigned_on=today() - datetime.timedelta(days=20))
    lead = lead_assignment(proposal)
    services.assignment_acknowledge(actor=cast.liaison, assignment=lead)
    services.contact_record(actor=cast.liaison, assignment=lead, stage="before", form="phone", date=today())
    reply = reply_drafted(cast, lead, actor=cast.liaison, title="关于建设社区老年食堂提案的答复",
                          body="陈委员:\n您提出的提案收悉,现答复如下。\n一、工作开展情况\n……\n二、下一步工作\n……",
                          doc_number="测政函〔2026〕12号")
    reply = reply_services.reply_submit(actor=cast.liaison, reply=reply)
    reply_services.reply_publish(actor=cast.staff, reply=reply)

    # My proposals: where it stands, in plain words.
    page.goto("/my/")
    card = page.locator(".ws-proposal", has_text=TITLE)
    assert f"{cast.agency.name}已于 {today().isoformat()} 答复" in card.inner_text()
    assert fits_a_phone(page)
    screenshot(page, "workspace-my-proposals")

    # The proposal page: the reply and the timeline.
    card.get_by_role("link", name=TITLE).click()
    assert page.get_by_role("heading", name="关于建设社区老年食堂提案的答复").is_visible()
    assert "测政函〔2026〕12号" in page.content()
    assert page.locator(".ws-timeline li").count() >= 8
    assert fits_a_phone(page)
    screenshot(page, "workspace-proposal")

    # The feedback form: 不满意 without a reason is refused; then a rating with its answers.
    page.get_by_role("link", name="评价此答复").click()
    page.get_by_role("group", name=re.compile("是否与您联系")).get_by_label("是", exact=True).check()
    page.get_by_role("group", name=re.compile("联系方式")).get_by_label("电话").check()
    page.get_by_role("group", name=re.compile("是否针对")).get_by_role("radio", name=re.compile("^是")).check()
    page.get_by_role("group", name=re.compile("办理态度")).get_by_label("满意", exact=True).check()
    page.get_by_role("group", name=re.compile("办理结果")).get_by_label("不满意", exact=True).check()
    assert fits_a_phone(page)
    screenshot(page, "workspace-feedback-form")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state()
    assert "请说明不满意的理由" in page.locator("#id_reason_error").inner_text()
    assert page.get_by_label(re.compile("意见和建议")).get_attribute("aria-invalid") == "true"
    assert not Feedback.objects.filter(reply=reply).exists()
    page.get_by_role("group", name=re.compile("办理结果")).get_by_label("满意", exact=True).check()
    page.get_by_label(re.compile("意见和建议")).fill("答复具体,建议尽快落实选址。")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_url(re.compile(rf"/my/proposals/{proposal.pk}/#reply-{reply.pk}$"))
    rating = page.locator(".ws-rating")
    assert "满意" in rating.inner_text() and "电话" in rating.inner_text()
    feedback = Feedback.objects.get(reply=reply, proposer=member)
    assert feedback.rating == "satisfied" and "答复前联系沟通:是(电话)" in feedback.comments


def test_a_liaison_who_logs_in_here_is_told_where_to_work(page, cast):
    cast.liaison.set_password(PASSWORD)
    cast.liaison.save()
    page.goto("/my/login/")
    page.get_by_label("用户名").fill(cast.liaison.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("heading", level=1).inner_text() == "委员工作台仅供提案人使用"
    assert "承办单位联络员" in page.content()
