"""The studio tried as a newcomer would: the defects a first walk through it found, each kept fixed here."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from tests.support.browser import PHONE, OpenPage, assert_fits
from tests.support.processes import ServerProcess
from tests.support.studio import api_token, open_studio

Demo = tuple[ServerProcess, dict[str, str]]


def test_a_field_the_browser_refuses_is_explained_in_the_page_s_language(
    open_page: OpenPage, demo_server: Demo
) -> None:
    # Chromium's own validation sentences are in the browser's language ("Please fill out this field."), not in
    # the page's: a French page said them in English under its fields
    _, demo = demo_server
    page = open_studio(open_page, "#/products/new", email=demo["seller_email"], password=demo["password"],
                       locale="fr-FR")
    page.get_by_test_id("product-price").fill("-3")
    page.get_by_test_id("studio-view").locator("form button[type=submit]").last.click()
    expect(page.get_by_test_id("error-title")).to_have_text("Obligatoire.")
    expect(page.get_by_test_id("error-price")).to_have_text("Un prix comme 49,90.")  # what form it wants
    page.get_by_test_id("nav-hosts").click()
    page.get_by_test_id("host-email").fill("pas une adresse")
    page.get_by_test_id("host-email").press("Enter")
    expect(page.get_by_test_id("error-email")).to_have_text("Une adresse e-mail, comme nom@exemple.fr.")


def test_the_demo_prints_where_the_studio_is_and_its_address_opens_the_sign_in(
    open_page: OpenPage, demo_server: Demo
) -> None:
    # `make run` printed the viewer's, the host's and the store's pages and the logins, but not the studio's
    # address: a newcomer with a seller's login had nowhere to use it
    _, demo = demo_server
    page = open_page(demo["studio_path"], locale="fr-FR")
    expect(page.get_by_test_id("login-email")).to_be_visible()


def test_a_show_scheduled_in_the_past_is_refused_with_a_date_a_person_reads(
    open_page: OpenPage, demo_server: Demo
) -> None:
    # the limit is the field's `min`, "2026-12-05T17:34": said as the page's locale writes a date and a time
    _, demo = demo_server
    page = open_studio(open_page, "#/shows/new", email=demo["host_email"], password=demo["password"],
                       locale="fr-FR")
    page.get_by_test_id("show-title-input").fill("Soldes d'hiver")
    page.get_by_test_id("show-product").first.click()
    page.get_by_test_id("show-when").fill("2020-01-01T10:00")
    page.get_by_test_id("show-save").click()
    error = page.get_by_test_id("error-scheduled_at")
    expect(error).to_have_text(re.compile(r"^Pas avant le \d{1,2} [a-zéû]+\.? \d{4}"))
    expect(error).not_to_contain_text("T")


def test_on_a_phone_the_navigation_shows_the_page_one_is_on(open_page: OpenPage, demo_server: Demo) -> None:
    # the navigation is one row that scrolls sideways on a phone: on the stores' page, "Stores" was out of sight
    _, demo = demo_server
    page = open_studio(open_page, "#/stores", email=demo["seller_email"], password=demo["password"],
                       viewport=PHONE)
    for section in ("stores", "profile", "products"):
        page.get_by_test_id(f"nav-{section}").evaluate("a => a.click()")  # reached as its link would be
        link = page.get_by_test_id(f"nav-{section}")
        expect(link).to_have_attribute("aria-current", "page")
        expect(link).to_be_in_viewport(ratio=1)


def test_a_long_name_in_the_bar_is_cut_and_the_role_stays_in_sight(open_page: OpenPage, demo_server: Demo) -> None:
    server, demo = demo_server
    email = "long.name.seller@demo.vitrine"
    r = httpx.post(f"{server.base_url}/api/accounts", timeout=10,
                   headers=api_token(server.base_url, demo["admin_email"], demo["password"]),
                   json={"email": email, "role": "seller", "password": demo["password"],
                         "name": "Maison de couture au nom vraiment beaucoup trop long pour la barre"})
    assert r.status_code == 201, r.text
    page = open_studio(open_page, "#/", email=email, password=demo["password"], locale="fr-FR", viewport=PHONE)
    expect(page.get_by_test_id("studio-user")).to_contain_text("Vendeur")
    assert page.get_by_test_id("studio-user").evaluate("a => a.innerText").endswith(" · Vendeur")
    assert page.get_by_test_id("studio-user").evaluate(_ROLE_IN_SIGHT), "the role is cut off the bar"
    assert_fits(page, ".bar")


# whether the word "Vendeur" in the bar's account ends inside the account's box (not cut by its ellipsis)
_ROLE_IN_SIGHT = """
box => {
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf('Vendeur');
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + 'Vendeur'.length);
    return range.getBoundingClientRect().right <= box.getBoundingClientRect().right + 0.5;
  }
  return false;
}
"""
