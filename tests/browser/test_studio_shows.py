"""A host's shows in the studio, in Chromium: create one with a demo product for tomorrow, change its title,
duplicate it, open its control room and come back by its link; go live from the list; in French, a time that
has passed is refused next to its field."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Page, expect

from tests.support.browser import PHONE, OpenPage, assert_fits
from tests.support.processes import ServerProcess
from tests.support.studio import api_token, open_studio

Demo = tuple[ServerProcess, dict[str, str]]
COAT = "Oversized wool coat"
PARIS = "Europe/Paris"


def row(page: Page, title: str) -> object:
    return page.get_by_test_id("show-row").filter(has=page.get_by_test_id("show-title").get_by_text(title, exact=True))


def my_shows(server: ServerProcess, demo: dict[str, str]) -> list[dict[str, object]]:
    headers = api_token(server.base_url, demo["host_email"], demo["password"])
    r = httpx.get(f"{server.base_url}/api/shows?host=me", headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


def test_a_host_schedules_edits_duplicates_and_opens_its_show(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    page = open_studio(open_page, "#/shows", email=demo["host_email"], password=demo["password"], viewport=PHONE,
                       timezone=PARIS)
    expect(page.get_by_test_id("shows-live").get_by_test_id("show-row")).to_have_count(1)  # the demo's live show

    page.get_by_test_id("show-new").click()
    page.get_by_test_id("show-title-input").fill("Winter preview")
    page.get_by_test_id("show-product").filter(has_text=COAT).locator("input").check()
    day = datetime.now(ZoneInfo(PARIS)).date() + timedelta(days=1)
    tomorrow = f"{day.isoformat()}T18:00"
    page.get_by_test_id("show-when").fill(tomorrow)
    page.get_by_test_id("show-limit").fill("2")
    assert_fits(page, "[data-testid=show-form]")
    page.get_by_test_id("show-save").click()
    expect(row(page, "Winter preview")).to_be_visible()
    expect(page.get_by_test_id("shows-scheduled")).to_contain_text("Winter preview")
    created = next(s for s in my_shows(server, demo) if s["title"] == "Winter preview")
    # the time typed is the browser's own (Paris), sent in UTC
    at_six = datetime.combine(day, time(18), tzinfo=ZoneInfo(PARIS)).astimezone(UTC)
    assert created["scheduled_at"] == at_six.isoformat().replace("+00:00", "Z")
    assert [p["title"] for p in created["products"]] == [COAT] and created["buyer_limit"] == 2  # type: ignore[index]

    row(page, "Winter preview").get_by_test_id("show-edit").click()
    expect(page.get_by_test_id("show-title-input")).to_have_value("Winter preview")
    expect(page.get_by_test_id("show-when")).to_have_value(tomorrow)
    page.get_by_test_id("show-title-input").fill("Winter preview: coats")
    page.get_by_test_id("show-save").click()
    expect(row(page, "Winter preview: coats")).to_be_visible()
    edited = next(s for s in my_shows(server, demo) if s["id"] == created["id"])
    assert edited["title"] == "Winter preview: coats" and edited["scheduled_at"] == created["scheduled_at"]

    row(page, "Winter preview: coats").get_by_test_id("show-duplicate").click()
    expect(page.get_by_test_id("show-title-input")).to_have_value("Winter preview: coats (copy)")
    expect(page.get_by_test_id("show-product").filter(has_text=COAT).locator("input")).to_be_checked()
    page.get_by_test_id("show-save").click()
    expect(page.get_by_test_id("shows-scheduled").get_by_test_id("show-row")).to_have_count(2)
    copy = next(s for s in my_shows(server, demo) if s["title"] == "Winter preview: coats (copy)")
    assert [p["title"] for p in copy["products"]] == [COAT] and copy["status"] == "scheduled"  # type: ignore[index]
    assert_fits(page, ".s-main")

    row(page, "Winter preview: coats").get_by_test_id("show-control").click()
    page.wait_for_url(f"**/host/{created['id']}")
    expect(page.get_by_test_id("start")).to_be_visible()  # signed in already: the studio's session
    page.get_by_test_id("studio-link").click()
    page.wait_for_url("**/studio#/shows")
    expect(row(page, "Winter preview: coats")).to_be_visible()


def test_a_host_goes_live_from_the_list_after_confirming(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    headers = api_token(server.base_url, demo["host_email"], demo["password"])
    r = httpx.post(f"{server.base_url}/api/shows", json={"title": "Flash sale"}, headers=headers, timeout=10)
    assert r.status_code == 201, r.text
    page = open_studio(open_page, "#/shows", email=demo["host_email"], password=demo["password"])
    row(page, "Flash sale").get_by_test_id("show-start").click()
    page.get_by_test_id("confirm-cancel").click()
    expect(page.get_by_test_id("shows-scheduled")).to_contain_text("Flash sale")
    row(page, "Flash sale").get_by_test_id("show-start").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("shows-live")).to_contain_text("Flash sale")
    expect(row(page, "Flash sale").get_by_test_id("show-edit")).to_have_count(0)


def test_in_french_a_time_that_has_passed_is_refused_by_its_field(open_page: OpenPage, demo_server: Demo) -> None:
    _, demo = demo_server
    page = open_studio(open_page, "#/shows/new", email=demo["host_email"], password=demo["password"],
                       locale="fr-FR", viewport=PHONE)
    expect(page.get_by_role("heading", name="Nouvelle émission")).to_be_visible()
    expect(page.get_by_test_id("nav-shows")).to_have_text("Mes émissions")
    page.get_by_test_id("show-title-input").fill("Hier")
    page.get_by_test_id("show-when").evaluate("input => input.removeAttribute('min')")  # past the page's own check
    page.get_by_test_id("show-when").fill((datetime.now() - timedelta(days=1)).strftime("%Y-%m-%dT10:00"))
    page.get_by_test_id("show-save").click()
    expect(page.get_by_test_id("error-scheduled_at")).to_have_text(
        "Cet horaire est passé : choisissez-en un plus tard.")
    assert_fits(page, "[data-testid=show-form]")
    page.get_by_role("link", name="Annuler").click()
    expect(page.get_by_test_id("shows-live")).to_contain_text("En direct")
