"""factory_boy factories: the smallest valid object of each kind, no hidden side effects."""

import factory

from accounts.models import Agency, User
from proposals.enums import ConsortiumUserRole, MemberRole
from proposals.models import (
    CommerceReview,
    Company,
    Consortium,
    ConsortiumMember,
    ConsortiumUser,
    Proposal,
)

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
    company = factory.SubFactory(CompanyFactory)
    role = MemberRole.PARTNER
    layers = factory.LazyFunction(list)


class ConsortiumUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsortiumUser

    consortium = factory.SubFactory(ConsortiumFactory)
    user = factory.SubFactory(UserFactory)
    role = ConsortiumUserRole.EDITOR


class ProposalFactory(factory.django.DjangoModelFactory):
    """A bare draft (fails most completeness checks); use `complete_proposal` for a submittable one."""

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    consortium = factory.SubFactory(ConsortiumFactory)
    title = factory.Sequence(lambda n: f"Proposal {n}")

    @factory.post_generation
    def commerce_review(self, create: bool, extracted: object, **kwargs: object) -> None:
        """A proposal made as already submitted has its Commerce review, as submission gives it."""
        if create and self.revision_number > 0:
            CommerceReview.objects.get_or_create(proposal=self)
