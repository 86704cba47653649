"""Every page at a phone's width (375 px) and a laptop's (1,280 px), as each kind of person sees it.

The demo data is seeded and crawled (as tests/app/crawling.py finds forms) as each role; each page
template is then opened once in Chromium, by the first role that reaches it, at both widths. On
every page:

- the document never scrolls sideways (WCAG 2.2, 1.4.10 Reflow): a wide table scrolls inside
  its own region instead;
- at 1,280 px the service navigation's items sit on one row (no "Sign out" alone on a second);
- at 375 px the navigation is behind a "Menu" button that opens and closes it.

One browser context per role, reused for all its pages.
"""

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.organisations.models import Membership
from dps.models import Lot, LotCondition, LotMembership, MembershipStatus
from lots.awards import demo as award_demo
from lots.bids import demo as bid_demo
from lots.bids import partnering
from lots.opportunities import demo as opportunity_demo
from lots.opportunities.models import Opportunity, OpportunityStatus
from tests.app.crawling import Crawler, emailed_links

pytestmark = pytest.mark.browser

ROLES = [
    ("signed out", None),
    ("supplier", "rosa@riverside-care.example"),
    ("buyer, evaluator and moderator", "buyer@leeds-council.example"),
    ("approver", "marcus@leeds-council.example"),
    ("administrator", "admin@vcse-dps.example"),
    # Reads only the pages ``condition_change_page`` names (a crawl of the rest would meet
    # nothing the supplier above does not).
    ("homecare provider holding a patch", "amara@stratford-homecare.example"),
]
ONLY_NAMED = {"amara@stratford-homecare.example"}
PHONE = {"width": 375, "height": 800}
LAPTOP = {"width": 1280, "height": 800}

NAVIGATION_ITEMS = ".govuk-service-navigation__item"
MENU_BUTTON = ".govuk-service-navigation__toggle"
MENU = ".govuk-service-navigation__list"

ACCOUNT_ITEMS = ".app-header__account-item"
REGION = ".app-table-region"

# What the document measures: how wide it is against the window; which elements stick out past
# the window's right edge (the widest first; a table region scrolls, so what is in one does not
# count); the top of each navigation item; tables outside a region; and regions that scroll but
# cannot be reached with a keyboard.
MEASURE = (
    """() => {
  const width = window.innerWidth
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
  const outside = []
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect()
    if (box.width && box.right > width + 1 && !el.closest('REGION')) {
      outside.push([Math.round(box.right), name(el)])
    }
  }
  outside.sort((a, b) => b[0] - a[0])
  const tops = (selector) => [...document.querySelectorAll(selector)]
    .map((item) => [Math.round(item.getBoundingClientRect().top), item.innerText.trim()])
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: width,
    outside: outside.slice(0, 3),
    navigationTops: tops('NAVIGATION_ITEMS'),
    accountTops: tops('ACCOUNT_ITEMS'),
    tablesOutsideRegions: [...document.querySelectorAll('table')]
      .filter((table) => !table.parentElement.matches('REGION[role=region][aria-label]'))
      .map(name),
    regionsOutOfReach: [...document.querySelectorAll('REGION')]
      .filter((region) => region.scrollWidth > region.clientWidth && region.tabIndex !== 0)
      .map((region) => region.getAttribute('aria-label')),
  }
}""".replace("REGION", REGION)
    .replace("NAVIGATION_ITEMS", NAVIGATION_ITEMS)
    .replace("ACCOUNT_ITEMS", ACCOUNT_ITEMS)
)


def awarded_call_off_pages():
    """The demo's awarded call-off, evaluated and decided: its buyer's pages, which the crawl would
    otherwise meet only after its per-route budget is spent on the other opportunities."""
    opportunity = award_demo.seed_awards()
    assert opportunity is not None, "the demo has no awarded call-off"
    base = f"/buyer/{opportunity.buyer_id}/opportunities/{opportunity.id}"
    return [base, *(base + tail for tail in AWARDED_PAGES)]


AWARDED_PAGES = ("/bid-evaluation", "/evaluate", "/moderation", "/result", "/award")


def help_and_patch_pages():
    """Pages the crawl meets only after its one page of a route is spent on another opportunity or
    lot: the Bradford call-off's partner board and a message to the supplier on it, the set of
    homecare patches, and a draft call-off's social value, conditions and what bidders must hold."""
    help_to_bid = db.session.scalars(
        sa.select(Opportunity).where(Opportunity.title == bid_demo.HELP_OPPORTUNITY)
    ).first()
    draft = db.session.scalars(
        sa.select(Opportunity).where(Opportunity.status == OpportunityStatus.DRAFT)
    ).first()
    patch = db.session.scalars(
        sa.select(Lot).where(Lot.cap_group == opportunity_demo.PATCH_GROUP)
    ).first()
    assert help_to_bid and draft and patch, "the demo has no help to bid, draft or patches"
    board = f"/opportunities/{help_to_bid.id}/partner-board"
    draft_base = f"/buyer/{draft.buyer_id}/opportunities/{draft.id}"
    return [
        board,
        *(f"{board}/{row.id}/contact" for row in partnering.board(help_to_bid.id)[:1]),
        f"/lots/{patch.id}/patches",
        *(draft_base + tail for tail in ("/social-value", "/conditions", "/bidders-must-hold")),
    ]


def condition_change_page():
    """Where a supplier tells the operator about a change to its lots' conditions, for the
    homecare provider's organisation, which holds a patch with conditions (Riverside holds none,
    so its page of the route lists nothing)."""
    held = db.session.execute(
        sa.select(LotMembership.organisation_id, Lot.dps_id)
        .join(Lot, Lot.id == LotMembership.lot_id)
        .join(LotCondition, LotCondition.lot_id == Lot.id)
        .join(Membership, Membership.organisation_id == LotMembership.organisation_id)
        .join(User, User.id == Membership.user_id)
        .where(LotMembership.status == MembershipStatus.ADMITTED, User.email == ROLES[-1][1])
        .order_by(LotMembership.organisation_id)
    ).first()
    assert held, "the demo's homecare provider holds no lot with a condition"
    return [f"/organisations/{held.organisation_id}/dps/{held.dps_id}/conditions"]


def pages_by_role(app):
    """Each page template once, at the first URL the first role to reach it met it on."""
    crawler = Crawler(app, per_endpoint=1)
    links = [*awarded_call_off_pages(), *help_and_patch_pages(), *emailed_links()]
    for _role, account in ROLES:
        if account in ONLY_NAMED:
            crawler.crawl(account, condition_change_page(), follow=False)
        else:
            crawler.crawl(account, links)
    seen, pages = set(), {role: [] for role, _ in ROLES}
    role_of = {account: role for role, account in ROLES}
    for account, url, _endpoint, template in crawler.visits:
        if template not in seen:
            seen.add(template)
            pages[role_of[account]].append((url, template))
    return pages


# Pages this test must reach: the awarded call-off's result and two administration pages, and a
# page of each feature merged since (notices and the API, lot conditions and patches, the
# pipeline, help to bid, places and social value, spend gaps and integrity flags).
REACHED = ("lots/eval_result.html", "admin/jobs.html", "audit/list.html")
NEW_PAGES = (
    "publishing/notice.html",
    "publishing/notices.html",
    "publishing/buyer_notices.html",
    "publishing/api_docs.html",
    "publishing/tokens.html",
    "publishing/token_new.html",
    "dps/admin_condition_flags.html",
    "dps/admin_condition_flag.html",
    "dps/condition_change.html",
    "lots/admin_patch_set.html",
    "lots/patch_set.html",
    "lots/buyer_conditions.html",
    "lots/buyer_social_value.html",
    "pipeline/find.html",
    "pipeline/item.html",
    "pipeline/buyer_pipeline.html",
    "pipeline/buyer_item.html",
    "pipeline/buyer_new.html",
    "pipeline/buyer_event.html",
    "dps/admin_guidance.html",
    "dps/admin_guidance_edit.html",
    "lots/ready.html",
    "lots/partner_board.html",
    "lots/partner_contact.html",
    "insight/places.html",
    "insight/place.html",
    "insight/dashboard.html",
    "places/admin_list.html",
    "places/priorities.html",
    "spend/report.html",
    "spend/integrity.html",
)


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/sign-in" not in page.url, f"{email} could not sign in"


def one_row(tops, what):
    """A problem if the items measured are not all on one row."""
    rows = sorted({top for top, _text in tops})
    if len(rows) > 1:
        wrapped = [text for top, text in tops if top != rows[0]]
        return [f"{what} wraps: {wrapped} below the others"]
    return []


def reflows(measured):
    found = []
    if measured["scrollWidth"] > measured["innerWidth"]:
        found.append(
            f"scrolls sideways ({measured['scrollWidth']} px in {measured['innerWidth']}), "
            f"widest: {measured['outside']}"
        )
    if measured["tablesOutsideRegions"]:
        found.append(f"tables outside a scrolling region: {measured['tablesOutsideRegions']}")
    if measured["regionsOutOfReach"]:
        found.append(f"regions that scroll but take no focus: {measured['regionsOutOfReach']}")
    return found


def problems_at_laptop_width(measured):
    return [
        *reflows(measured),
        *one_row(measured["navigationTops"], "the service navigation"),
        *one_row(measured["accountTops"], "the account links"),
    ]


def problems_at_phone_width(page, measured, press=False):
    """At 375 px the navigation is behind the Menu button; ``press`` it to see it open and close
    (once per role: it is the same component on every page)."""
    found = reflows(measured)
    if not measured["navigationTops"]:
        return found
    button = page.locator(MENU_BUTTON)
    menu = page.locator(MENU)
    if not button.is_visible():
        return [*found, "no Menu button"]
    if menu.is_visible():
        found.append("the menu is open before the Menu button is pressed")
    if not press:
        return found
    button.click()
    if not (menu.is_visible() and button.get_attribute("aria-expanded") == "true"):
        found.append("the Menu button does not open the menu")
    else:
        if not page.locator(NAVIGATION_ITEMS).last.is_visible():
            found.append("the open menu hides its last item")
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
            found.append("the open menu makes the page scroll sideways")
    button.click()
    if menu.is_visible():
        found.append("the Menu button does not close the menu")
    return found


def resize(page, viewport):
    """Resize the window, and wait for the page to respond as it would before a person sees it:
    media query listeners and resize observers run before the next frame is drawn."""
    page.set_viewport_size(viewport)
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def test_every_page_fits_a_phone_and_a_laptop(app, live_server, browser, seeded_demo):
    pages = pages_by_role(app)
    templates = sorted(template for urls in pages.values() for _url, template in urls)
    problems = []
    for role, account in ROLES:
        context = browser.new_context(viewport=LAPTOP)
        page = context.new_page()
        checks = pages[role]
        if account:
            sign_in(page, live_server, account)
            # The page a person lands on: every role has at least this one.
            checks = [(urlsplit(page.url).path, "landing page"), *checks]
        for number, (url, template) in enumerate(checks):
            resize(page, LAPTOP)
            response = page.goto(live_server.url + url)
            assert response.ok, f"{url} as the {role}: {response.status}"
            for problem in problems_at_laptop_width(page.evaluate(MEASURE)):
                problems.append(f"{role}, 1280 px, {url} ({template}): {problem}")
            resize(page, PHONE)
            measured = page.evaluate(MEASURE)
            for problem in problems_at_phone_width(page, measured, press=number == 0):
                problems.append(f"{role}, 375 px, {url} ({template}): {problem}")
        context.close()
    print(f"\n{len(templates)} page templates checked at 375 and 1280 px")
    # The crawl reached the pages this test is about (a change that hid them fails here).
    for template in (*REACHED, *NEW_PAGES):
        assert template in templates, f"{template} was not reached"
    assert len(templates) > 70, f"only {len(templates)} page templates reached"
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
