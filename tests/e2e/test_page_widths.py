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

from app.demo import DEMO_PASSWORD, seed
from lots.awards import demo as award_demo
from tests.app.crawling import Crawler, emailed_links

pytestmark = pytest.mark.browser

ROLES = [
    ("signed out", None),
    ("supplier", "rosa@riverside-care.example"),
    ("buyer, evaluator and moderator", "buyer@leeds-council.example"),
    ("approver", "marcus@leeds-council.example"),
    ("administrator", "admin@vcse-dps.example"),
]
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


def pages_by_role(app):
    """Each page template once, at the first URL the first role to reach it met it on."""
    crawler = Crawler(app, per_endpoint=1)
    links = [*awarded_call_off_pages(), *emailed_links()]
    for _role, account in ROLES:
        crawler.crawl(account, links)
    seen, pages = set(), {role: [] for role, _ in ROLES}
    role_of = {account: role for role, account in ROLES}
    for account, url, _endpoint, template in crawler.visits:
        if template not in seen:
            seen.add(template)
            pages[role_of[account]].append((url, template))
    return pages


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


def test_every_page_fits_a_phone_and_a_laptop(app, live_server, browser):
    seed()
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
    for template in ("lots/eval_result.html", "admin/jobs.html", "audit/list.html"):
        assert template in templates, f"{template} was not reached"
    assert len(templates) > 70, f"only {len(templates)} page templates reached"
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
