"""factory_boy factories: the smallest valid object of each kind, no hidden side effects."""

import datetime

import factory
from django.utils import timezone

from accounts.models import Agency, User
from proposals.commerce.models import (
    CommerceReview,
    LicenseGate,
    LicensingPolicyVersion,
    ScreeningEntry,
    ScreeningHit,
    ScreeningListVersion,
)
from proposals.core.enums import ConsortiumUserRole, MemberRole, ScreenedSubject
from proposals.evaluation.enums import PanelStatus
from proposals.evaluation.models import Panel, PanelMember
from proposals.intake.models.call import Call, Criterion, Rubric
from proposals.intake.models.consortium import Company, Consortium, ConsortiumMember, ConsortiumUser
from proposals.intake.models.proposal import LineItem, Proposal

TEST_PASSWORD = "a-test-password-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class CommerceReviewerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"commerce{n}")
    agency = Agency.COMMERCE


class EximOfficerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"exim{n}")
    agency = Agency.EXIM


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    legal_name = factory.Sequence(lambda n: f"Company {n} Inc.")
    country_of_incorporation_id = "US"
    principal_place_of_business_id = "US"


class ConsortiumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consortium

    name = factory.Sequence(lambda n: f"Consortium {n}")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsortiumMember

    consortium = factory.SubFactory(ConsortiumFactory)
    company = factory.SubFactory(CompanyFactory, entered_by=factory.SelfAttribute("..consortium"))
    role = MemberRole.PARTNER
    layers = factory.LazyFunction(list)


class ConsortiumUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsortiumUser

    consortium = factory.SubFactory(ConsortiumFactory)
    user = factory.SubFactory(UserFactory)
    role = ConsortiumUserRole.EDITOR


class CallFactory(factory.django.DjangoModelFactory):
    """A call open from 1 January 2000 on a rolling basis: open on any date a test uses."""

    class Meta:
        model = Call

    name = factory.Sequence(lambda n: f"Call {n}")
    slug = factory.Sequence(lambda n: f"call-{n}")
    federal_register_citation = factory.Sequence(lambda n: f"FR 2026-{n:05d}")
    opens_on = datetime.date(2000, 1, 1)
    closes_on = None
    rolling = True


def open_call() -> Call:
    """The one always-open call that proposals made by tests answer unless a test says otherwise."""
    call = Call.objects.filter(slug="always-open").first()
    return call or CallFactory(slug="always-open", name="Always-open test call")


class RubricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rubric

    call = factory.SubFactory(CallFactory)
    version = 1


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    rubric = factory.SubFactory(RubricFactory)
    code = factory.Sequence(lambda n: f"criterion-{n}")
    title = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 50


class ProposalFactory(factory.django.DjangoModelFactory):
    """A bare draft (fails most completeness checks); use `complete_proposal` for a submittable one."""

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    consortium = factory.SubFactory(ConsortiumFactory)
    call = factory.LazyFunction(open_call)
    title = factory.Sequence(lambda n: f"Proposal {n}")

    @factory.post_generation
    def commerce_review(self, create: bool, extracted: object, **kwargs: object) -> None:
        """A proposal made as already submitted has its Commerce review, as submission gives it."""
        if create and self.revision_number > 0:
            CommerceReview.objects.get_or_create(proposal=self)


def license_gate(
    proposal: Proposal, status: str, *, eccn: str = "3A090", destination: str = "AE"
) -> LicenseGate:
    """A license gate in `status`, as licensing would open it (policy version 1)."""
    policy, _ = LicensingPolicyVersion.objects.get_or_create(number=1, defaults={"name": "test"})
    return LicenseGate.objects.create(
        proposal=proposal,
        eccn=eccn,
        destination_id=destination,
        status=status,
        rule_code="ai-chips-d-groups",
        policy_version=policy,
    )


def declared_conflict(proposal: Proposal, evaluator: User, *, agency: str = "commerce") -> PanelMember:
    """`evaluator` sits on the proposal's panel and has declared a conflict: recused from it."""
    panel = Panel.objects.create(
        proposal=proposal,
        rubric=RubricFactory(),
        status=PanelStatus.CONFLICTS,
        stage_entered_at=timezone.now(),
    )
    return PanelMember.objects.create(
        panel=panel, evaluator=evaluator, agency=agency, has_conflict=True, declared_at=timezone.now()
    )


def screening_hit(proposal: Proposal, status: str, *, entry_key: str = "e1") -> ScreeningHit:
    """An exact hit of the end user "Acme Precision Co., Ltd." on the Entity List, in `status`, found
    on the newest list (one is made if none is loaded), as the newest screening would have found it."""
    version = ScreeningListVersion.objects.order_by("-pk").first() or ScreeningListVersion.objects.create(
        source="test.csv", sha256="0" * 64, entry_count=1
    )
    entry, _ = ScreeningEntry.objects.get_or_create(
        list_version=version,
        entry_key=entry_key,
        defaults={"source": "Entity List (EL)", "name": "ACME PRECISION CO LTD"},
    )
    return ScreeningHit.objects.create(
        proposal=proposal,
        entry=entry,
        list_version=version,
        entry_key=entry_key,
        subject_type=ScreenedSubject.PARTY,
        subject_label="End user",
        screened_name="Acme Precision Co., Ltd.",
        matched_name="ACME PRECISION CO LTD",
        source="Entity List (EL)",
        score=100,
        exact=True,
        status=status,
    )


def line_item(proposal: Proposal, *, description: str = "Kept") -> LineItem:
    """A line item already on the proposal, as a person would have added it: what a failed import must
    leave as it was."""
    return LineItem.objects.create(
        proposal=proposal,
        layer="chips",
        description=description,
        manufacturer="Chip Co",
        eccn="EAR99",
        quantity=1,
        unit_value=1,
        us_origin_value=0,
    )
