"""The admin as a person uses it, in headless Chromium: client list, add, change, rotate;
log list and entry; a client's health; a user's SCIM history. Each test asserts what is
on the screen, and saves a screenshot (build/screenshots/)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from django_scim.constants import USER_SCHEMA
from django_scim.models import ProvisioningLog
from tests.conftest import SCIMTestClient, body, ops
from tests.factories import ProvisioningLogFactory, SCIMClientFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # The live server's threads cannot close the test's shared in-memory SQLite
    # connection when they end; Django's own LiveServerTestCase says the same.
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]

TOKEN = re.compile(r"scim_[A-Za-z0-9_\-]{20,}")


def by_css(browser, selector: str):
    from selenium.webdriver.common.by import By

    return browser.find_element(By.CSS_SELECTOR, selector)


def wait_for(browser, condition, timeout: float = 15):
    """Wait until ``condition(driver)`` holds: a click starts a navigation, it does not
    wait for the next page."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout).until(condition)


def title_has(text: str):
    return lambda driver: text in driver.title


def all_css(browser, selector: str):
    from selenium.webdriver.common.by import By

    return browser.find_elements(By.CSS_SELECTOR, selector)


@pytest.fixture
def signed_in(browser, live_server):
    """A superuser signed in through the admin's own login form."""
    get_user_model().objects.create_superuser("admin", "admin@example.test", "pw-for-browser")
    browser.delete_all_cookies()
    browser.get(f"{live_server.url}/admin/login/")
    by_css(browser, "#id_username").send_keys("admin")
    by_css(browser, "#id_password").send_keys("pw-for-browser")
    by_css(browser, "input[type=submit]").click()
    wait_for(browser, title_has("Site administration"))
    return live_server.url


def bearer(raw: str) -> SCIMTestClient:
    client = SCIMTestClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def provisioned(db):
    """An identity provider that created bjensen, changed her title, and was refused once."""
    okta = SCIMClientFactory(name="Okta", expires=timezone.now() + timedelta(days=5))
    scim = bearer(okta.raw_token)
    user_id = body(scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "bjensen"}))["id"]
    scim.patch(f"Users/{user_id}", ops({"op": "replace", "path": "title", "value": "CEO"}))
    scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "bjensen"})  # 409
    for hours in (3, 30, 80):
        ProvisioningLogFactory(client=okta, created=timezone.now() - timedelta(hours=hours))
    ProvisioningLogFactory(
        client=okta,
        status=400,
        scim_type="invalidFilter",
        created=timezone.now() - timedelta(hours=5),
    )
    return okta, user_id


def test_client_list_shows_state_expiry_and_counts(browser, signed_in, provisioned, shoot):
    browser.get(f"{signed_in}/admin/django_scim/scimclient/")
    row = by_css(browser, "#result_list tbody tr")
    assert "Okta" in row.text
    assert "active" in by_css(browser, "td.field-state").text
    assert "in 4 days" in by_css(browser, "td.field-expiry").text
    assert by_css(browser, "td.field-errors_24h").text == "2"
    shoot("01-client-list")


def test_adding_a_client_shows_its_token_once(browser, signed_in, shoot):
    browser.get(f"{signed_in}/admin/django_scim/scimclient/add/")
    by_css(browser, "#id_name").send_keys("Entra ID")
    by_css(browser, "input[name=_save]").click()
    wait_for(browser, title_has("Select SCIM client to change"))
    message = by_css(browser, "ul.messagelist").text
    assert "Bearer token for Entra ID" in message
    assert TOKEN.search(message)
    shoot("02-client-added-token-shown")
    browser.refresh()
    assert not TOKEN.search(by_css(browser, "body").text)


def test_client_page_edits_strict_and_scope(browser, signed_in, provisioned, shoot):
    from selenium.webdriver.support.ui import Select

    okta, _ = provisioned
    browser.get(f"{signed_in}/admin/django_scim/scimclient/{okta.pk}/change/")
    shoot("03-client-change")
    by_css(browser, "#id_strict").click()
    Select(by_css(browser, "#id_scope")).select_by_value("read")
    by_css(browser, "input[name=_save]").click()
    wait_for(browser, title_has("Select SCIM client to change"))
    okta.refresh_from_db()
    assert (okta.strict, okta.scope) == (True, "read")


def test_rotate_button_issues_a_working_token(browser, signed_in, provisioned, shoot):
    okta, _ = provisioned
    browser.get(f"{signed_in}/admin/django_scim/scimclient/{okta.pk}/change/")
    by_css(browser, ".object-tools a[href$='/rotate/']").click()
    wait_for(browser, title_has("Rotate the token"))
    assert "stops working at once" in by_css(browser, "#content-main").text
    shoot("04-rotate-confirm")
    by_css(browser, "input[type=submit]").click()
    wait_for(browser, title_has("Change SCIM client"))
    raw = TOKEN.search(by_css(browser, "ul.messagelist").text).group(0)
    shoot("05-rotate-token-shown")
    assert bearer(raw).get("Users").status_code == 200
    assert bearer(okta.raw_token).get("Users").status_code == 401


def test_log_list_and_entry(browser, signed_in, provisioned, shoot):
    browser.get(f"{signed_in}/admin/django_scim/provisioninglog/")
    rows = all_css(browser, "#result_list tbody tr")
    assert len(rows) == ProvisioningLog.objects.count()
    assert "Okta" in rows[0].text
    shoot("06-log-list")
    patch = ProvisioningLog.objects.get(method="PATCH")
    browser.get(f"{signed_in}/admin/django_scim/provisioninglog/{patch.pk}/change/")
    changes = by_css(browser, "table.scim-changes").text
    assert "title" in changes and "CEO" in changes
    assert not all_css(browser, "a.deletelink")
    shoot("07-log-entry")


def test_health_page(browser, signed_in, provisioned, shoot):
    okta, _ = provisioned
    browser.get(f"{signed_in}/admin/django_scim/scimclient/{okta.pk}/health/")
    assert "Provisioning is running" in by_css(browser, "#scim-health-state").text
    assert by_css(browser, "#scim-requests-24h").text == "5"
    assert by_css(browser, "#scim-errors-24h").text == "2"
    assert "uniqueness" in by_css(browser, "#scim-top-scim-types").text
    chart = by_css(browser, "svg.scim-health-chart")
    assert chart.size["width"] > 600
    shoot("08-health")


def test_user_history_from_the_users_page(browser, signed_in, provisioned, shoot):
    user = get_user_model().objects.get(username="bjensen")
    browser.get(f"{signed_in}/admin/auth/user/{user.pk}/change/")
    assert not all_css(browser, "input#id_username")  # managed by Okta: read-only
    shoot("09-user-page-managed")
    by_css(browser, "a[href$='/scim-history/']").click()
    wait_for(browser, title_has("SCIM history"))
    table = by_css(browser, "#scim-history").text
    assert table.index("patch") < table.index("create")
    assert "CEO" in table and "Okta" in table
    shoot("10-user-history")


def test_user_list_shows_who_provisioned_whom(browser, signed_in, provisioned, shoot):
    browser.get(f"{signed_in}/admin/auth/user/?scim_client=any")
    rows = all_css(browser, "#result_list tbody tr")
    assert [r.text.split()[0] for r in rows] == ["bjensen"]
    assert by_css(browser, "td.field-provisioned_by").text == "Okta"
    shoot("11-user-list-provisioned-by")
