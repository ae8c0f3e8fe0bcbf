"""Who may download the papers (the same predicates as the proposal pages), on the web and the API."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from proposals.core.enums import GeneratedKind
from proposals.documents.models import GeneratedDocument
from proposals.documents.services.generated import generated_render
from tests.documents.conftest import pdf_pages
from tests.factories import TEST_PASSWORD
from tests.oncommit import sends

pytestmark = pytest.mark.django_db


@pytest.fixture
def rendered(submitted):
    generated_render(proposal_id=submitted.pk, kind=GeneratedKind.DOSSIER)
    return submitted


def _web_url(proposal) -> str:
    return reverse("paper-download", kwargs={"pk": proposal.pk, "kind": "dossier"})


def _api_url(proposal) -> str:
    return reverse("api-paper-download", kwargs={"proposal_id": proposal.pk, "kind": "dossier"})


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("who", ["lead", "viewer", "commerce_reviewer", "exim_officer"])
def test_web_download_allowed_to_consortium_and_agency(rendered, who, request, client):
    user = request.getfixturevalue(who)
    client.login(username=user.username, password=TEST_PASSWORD)
    response = client.get(_web_url(rendered))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="dossier-proposal-{rendered.pk}-r1.pdf"'
    )
    body = _body(response)
    assert response["X-Checksum-SHA256"] == hashlib.sha256(body).hexdigest()
    assert "UAE AI Cluster" in pdf_pages(body)[0]


def test_web_download_by_other_consortium_is_404(rendered, outsider, client):
    client.login(username="outsider", password=TEST_PASSWORD)
    assert client.get(_web_url(rendered)).status_code == 404
    assert client.get(reverse("package-download", kwargs={"pk": rendered.pk})).status_code == 404


def test_web_download_anonymous_redirects_to_sign_in(rendered, client):
    response = client.get(_web_url(rendered))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={_web_url(rendered)}"


def test_web_download_of_unknown_kind_is_404(rendered, lead, client):
    client.login(username="lead", password=TEST_PASSWORD)
    url = reverse("paper-download", kwargs={"pk": rendered.pk, "kind": "term_sheet"})
    assert client.get(url).status_code == 404


def test_agency_may_not_download_a_draft_dossier(complete_proposal, commerce_reviewer, lead, client):
    client.login(username="commerce", password=TEST_PASSWORD)
    assert client.get(_web_url(complete_proposal)).status_code == 404
    client.login(username="lead", password=TEST_PASSWORD)
    assert client.get(_web_url(complete_proposal)).status_code == 404  # never submitted: no dossier


def test_download_before_render_says_pending_and_enqueues_render(
    submitted, lead, client, django_capture_on_commit_callbacks
):
    client.login(username="lead", password=TEST_PASSWORD)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(_web_url(submitted))
    assert response.status_code == 202
    assert "is being prepared" in response.content.decode()
    assert len(sends(callbacks)) == 1


def test_stale_dossier_is_not_served(rendered, lead, client, django_capture_on_commit_callbacks):
    GeneratedDocument.objects.update(source_sha256="0" * 64)  # its source changed since it was rendered
    client.login(username="lead", password=TEST_PASSWORD)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.get(_web_url(rendered)).status_code == 202
    assert len(sends(callbacks)) == 1


def test_api_download_owner_200_outsider_404_anonymous_401(rendered, lead, outsider, api_client):
    assert api_client.get(_api_url(rendered)).status_code == 401
    api_client.force_authenticate(outsider)
    response = api_client.get(_api_url(rendered))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    api_client.force_authenticate(lead)
    response = api_client.get(_api_url(rendered))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert _body(response).startswith(b"%PDF-")


def test_api_download_pending_is_202_with_retry_after(submitted, lead, api_client):
    api_client.force_authenticate(lead)
    response = api_client.get(_api_url(submitted))
    assert (response.status_code, response["Retry-After"], response.json()["code"]) == (202, "5", "pending")


def test_api_lists_papers_with_checksum_and_revision(rendered, lead, api_client):
    api_client.force_authenticate(lead)
    response = api_client.get(reverse("api-paper-list", kwargs={"proposal_id": rendered.pk}))
    doc = GeneratedDocument.objects.get()
    assert response.status_code == 200
    assert response.json() == [
        {
            "kind": "dossier",
            "subject_id": 0,
            "revision": 1,
            "sha256": doc.sha256,
            "size": doc.size,
            "page_count": doc.page_count,
            "rendered_at": response.json()[0]["rendered_at"],
            "download_url": _api_url(rendered),
        }
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_api_paper_list_queries_do_not_grow(submitted, lead, api_client, count, django_assert_num_queries):
    for subject_id in range(count):
        doc = GeneratedDocument(
            proposal=submitted,
            kind=GeneratedKind.DOSSIER,
            subject_id=subject_id,
            revision=1,
            source_sha256="a" * 64,
            sha256="b" * 64,
            size=4,
            page_count=1,
        )
        doc.file.save("x.pdf", ContentFile(b"%PDF"), save=True)
    api_client.force_authenticate(lead)
    url = reverse("api-paper-list", kwargs={"proposal_id": submitted.pk})
    with django_assert_num_queries(2):  # the proposal, the papers (roles are cached on the user)
        assert len(api_client.get(url).json()) == count


def test_package_holds_dossier_attachments_and_manifest(rendered, lead, client):
    client.login(username="lead", password=TEST_PASSWORD)
    response = client.get(reverse("package-download", kwargs={"pk": rendered.pk}))
    assert (response.status_code, response["Content-Type"]) == (200, "application/zip")
    with zipfile.ZipFile(io.BytesIO(_body(response))) as zf:
        names = zf.namelist()
        docs = {d.category: d for d in rendered.documents.all()}
        assert names == [
            f"dossier-proposal-{rendered.pk}-r1.pdf",
            f"attachments/financial/{docs['financial'].pk}-financial.pdf",
            f"attachments/security_plan/{docs['security_plan'].pk}-security_plan.pdf",
            "MANIFEST.sha256",
        ]
        manifest = zf.read("MANIFEST.sha256").decode().splitlines()
        for line in manifest:
            checksum, name = line.split("  ")
            assert hashlib.sha256(zf.read(name)).hexdigest() == checksum
        assert "Revision 1, frozen on" in pdf_pages(zf.read(names[0]))[0]


def test_api_package_for_owner_and_not_for_outsider(rendered, lead, outsider, api_client):
    url = reverse("api-package-download", kwargs={"proposal_id": rendered.pk})
    api_client.force_authenticate(outsider)
    assert api_client.get(url).status_code == 404
    api_client.force_authenticate(lead)
    response = api_client.get(url)
    assert (response.status_code, response["Content-Type"]) == (200, "application/zip")


def test_package_has_the_same_download_name_from_the_web_and_the_api(rendered, lead, client, api_client):
    client.login(username="lead", password=TEST_PASSWORD)
    api_client.force_authenticate(lead)
    web = client.get(reverse("package-download", kwargs={"pk": rendered.pk}))
    api = api_client.get(reverse("api-package-download", kwargs={"proposal_id": rendered.pk}))
    expected = f'attachment; filename="dossier-package-proposal-{rendered.pk}-r1.zip"'
    assert (web["Content-Disposition"], api["Content-Disposition"]) == (expected, expected)


def test_proposal_page_links_to_dossier_once_submitted(submitted, complete_proposal, lead, client):
    client.login(username="lead", password=TEST_PASSWORD)
    body = client.get(reverse("proposal-detail", args=[submitted.pk])).content.decode()
    assert f'href="{_web_url(submitted)}"' in body
    assert f'href="{reverse("package-download", kwargs={"pk": submitted.pk})}"' in body
