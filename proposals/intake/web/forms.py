"""The consortium's forms: they parse input for the drafting services, which have the last word.

Field ids are `f-<name>` so a checklist finding that points at a field (`title`, `product`, ...)
can link straight to it.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator

from proposals.core.enums import DocumentCategory, Layer, MemberRole, Section
from proposals.core.models.reference import Country
from proposals.core.models.versioned import Versioned
from proposals.core.policy.text import LINE_MAX_CHARS, NAME_MAX_CHARS, NOTE_MAX_CHARS, text_refusal
from proposals.core.web.concurrency import VERSION_FIELD, carry_version
from proposals.core.web.fields import text_field
from proposals.intake.models.call import Call, Criterion
from proposals.intake.models.consortium import Consortium
from proposals.intake.models.proposal import LineItem, Party, Proposal, Site
from proposals.intake.policy.amounts import LINE_VALUE_MAX, QUANTITY_MAX
from proposals.intake.services.drafting import ITEM_FIELDS, PARTY_FIELDS, SITE_FIELDS

AUTO_ID = "f-%s"


class PortalForm(forms.Form):
    """`version=`: the version of the object the form edits, carried in a hidden field
    (core.web.concurrency)."""

    def __init__(self, *args: Any, version: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", AUTO_ID)
        super().__init__(*args, **kwargs)
        if version is not None:
            carry_version(self, version)


class PortalModelForm(forms.ModelForm):
    """A model form that never saves: views pass `service_data()` to a service instead.

    Editing a saved `Versioned` row, it carries the row's version in a hidden field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", AUTO_ID)
        super().__init__(*args, **kwargs)
        if isinstance(self.instance, Versioned) and self.instance.pk is not None:
            carry_version(self, self.instance.version)

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if name != VERSION_FIELD}


class ProposalCreateForm(PortalForm):
    consortium = forms.ModelChoiceField(queryset=Consortium.objects.none(), empty_label=None)
    call = forms.ModelChoiceField(
        queryset=Call.objects.none(),
        empty_label=None,
        label="Call for proposals",
        help_text="The call this proposal answers; only calls open today are listed.",
        error_messages={
            "required": "No call for proposals is open today.",
            "invalid_choice": "Choose an open call.",
        },
    )
    title = text_field(NAME_MAX_CHARS, help_text="You can change it later.")

    def __init__(self, *args: Any, consortia: list[Consortium], calls: list[Call], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = Call.objects.filter(pk__in=[c.pk for c in calls]).order_by(
            "-opens_on", "-pk"
        )
        self.fields["consortium"].queryset = Consortium.objects.filter(pk__in=[c.pk for c in consortia])
        if len(consortia) == 1:
            self.fields["consortium"].widget = forms.HiddenInput()
            self.fields["consortium"].initial = consortia[0].pk


class OverviewForm(PortalModelForm):
    target_countries = forms.ModelMultipleChoiceField(
        queryset=Country.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Hold Ctrl (or Cmd) to choose several.",
    )
    confidential_sections = forms.MultipleChoiceField(
        choices=[(s.value, s.label) for s in Section if s != Section.SUBMIT],
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"}),
        label="Business-confidential sections",
    )

    class Meta:
        model = Proposal
        fields = [
            "title",
            "summary",
            "target_countries",
            "target_blocs",
            "use_cases",
            "security_measures",
            "confidential_sections",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "use_cases": forms.Textarea(attrs={"rows": 3}),
            "security_measures": forms.Textarea(attrs={"rows": 5}),
        }


class EndUseForm(PortalModelForm):
    class Meta:
        model = Proposal
        fields = ["end_use"]
        widgets = {"end_use": forms.Textarea(attrs={"rows": 4})}


class FinancingForm(PortalModelForm):
    class Meta:
        model = Proposal
        fields = [
            "exim_product",
            "financing_amount",
            "local_costs",
            "tenor_years",
            "dfc_support_requested",
            "ustda_support_requested",
        ]
        labels = {"exim_product": "EXIM product"}
        # The checklist names these two by their snapshot keys (product, amount).
        widgets = {
            "exim_product": forms.Select(attrs={"id": "f-product"}),
            "financing_amount": forms.NumberInput(attrs={"id": "f-amount", "step": "0.01"}),
        }


class SiteForm(PortalModelForm):
    class Meta:
        model = Site
        fields = list(SITE_FIELDS)


class LineItemForm(PortalModelForm):
    class Meta:
        model = LineItem
        fields = list(ITEM_FIELDS)

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = proposal.sites.order_by("pk")
        self.fields["origin_country"].queryset = Country.objects.order_by("name")
        # Field-level bounds (the browser enforces them too); the model's clean() checks the total.
        self.fields["quantity"].validators.append(MaxValueValidator(QUANTITY_MAX))
        self.fields["quantity"].widget.attrs["max"] = QUANTITY_MAX
        for name in ("unit_value", "us_origin_value"):
            self.fields[name].validators.append(MaxValueValidator(LINE_VALUE_MAX))
            self.fields[name].widget.attrs["max"] = str(LINE_VALUE_MAX)


class OwnersField(forms.CharField):
    """Owners typed one a line, `name; country code; percent` (Lotus Holdings; MO; 30), read into
    [{name, country, percent}]. Only the shape is checked here: the ownership service checks the
    countries and the percentages (each more than 0 and at most 100, at most 100 together)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Owners")
        kwargs.setdefault(
            "help_text",
            "One owner a line: name; country code; percent, for example “Lotus Holdings; MO; 30”. "
            "Leave blank if none is listed.",
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{o['name']}; {o['country']}; {o['percent']}" for o in value)
        return value

    def to_python(self, value: Any) -> list[dict[str, str]]:  # type: ignore[override]
        text = super().to_python(value)
        # The text rule applies to the typed text (validators would see the parsed list).
        if len(text) > NOTE_MAX_CHARS:
            raise forms.ValidationError(f"The owners list is longer than {NOTE_MAX_CHARS:,} characters.")
        if refusal := text_refusal(text, multiline=True):
            raise forms.ValidationError(refusal)
        owners: list[dict[str, str]] = []
        errors: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(";")]
            if len(parts) != 3:
                errors.append(f"Line {number}: write name; country code; percent.")
                continue
            name, country, percent = parts
            if len(name) > NAME_MAX_CHARS:
                errors.append(f"Line {number}: the name is longer than {NAME_MAX_CHARS} characters.")
                continue
            owners.append({"name": name, "country": country, "percent": percent.removesuffix("%").strip()})
        if errors:
            raise forms.ValidationError(errors)
        return owners


def owners_initial(owned: Any) -> list[dict[str, str]]:
    """An entity's owners as the owners field shows them (in the order they were given)."""
    if owned is None or owned.pk is None:
        return []
    return [
        {"name": o.name, "country": o.country_id, "percent": f"{o.percent.normalize():f}"}
        for o in owned.owners.order_by("pk")
    ]


class PartyForm(PortalModelForm):
    owners = OwnersField()

    class Meta:
        model = Party
        fields = list(PARTY_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("owners", owners_initial(self.instance))


class DocumentForm(PortalForm):
    category = forms.ChoiceField(choices=DocumentCategory.choices)
    file = forms.FileField(help_text="PDF, PNG, JPEG, DOCX or XLSX.")


class BomImportForm(PortalForm):
    file = forms.FileField(label="Bill of materials (CSV or XLSX)")


class WithdrawForm(PortalForm):
    # Not required here: the workflow table says which actions need a reason, and the service enforces it.
    reason = text_field(
        NOTE_MAX_CHARS,
        multiline=True,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Reviewers and the program see this reason.",
    )


class _MemberFields(PortalForm):
    """Role and layers: what a member does in the consortium (services.consortium checks the rules)."""

    role = forms.ChoiceField(
        choices=MemberRole.choices,
        initial=MemberRole.PARTNER,
        help_text="Exactly one anchor: choosing it for a partner hands the role over from the "
        "current anchor.",
    )
    layers = forms.MultipleChoiceField(
        choices=Layer.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"}),
        label="Stack layers supplied",
    )


def _country_field(label: str, *, required: bool = True) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(queryset=Country.objects.order_by("name"), required=required, label=label)


class MemberCompanyForm(_MemberFields):
    """A member and its company's details: adding a new company, or editing a member."""

    legal_name = text_field(NAME_MAX_CHARS)
    country_of_incorporation = _country_field("Country of incorporation")
    principal_place_of_business = _country_field("Principal place of business")
    ultimate_parent = text_field(NAME_MAX_CHARS, required=False, help_text="Leave blank if none.")
    ultimate_parent_country = _country_field("Ultimate parent's country", required=False)
    owners = OwnersField()

    field_order = [
        "legal_name",
        "role",
        "layers",
        "country_of_incorporation",
        "principal_place_of_business",
        "ultimate_parent",
        "ultimate_parent_country",
        "owners",
    ]

    def company_data(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in (
                "legal_name",
                "country_of_incorporation",
                "principal_place_of_business",
                "ultimate_parent",
                "ultimate_parent_country",
                "owners",
            )
        }


class ExistingMemberForm(_MemberFields):
    """Add back a company this consortium entered before, by its legal name."""

    existing_company = text_field(
        NAME_MAX_CHARS, label="Legal name of the company", help_text="As this consortium entered it before."
    )
    field_order = ["existing_company", "role", "layers"]


# --- Calls for proposals (program staff) ---------------------------------------------------------


def _percent_text(percent: Decimal) -> str:
    """51, 60 or 100 (not 6E+1 or 60.00)."""
    text = f"{percent:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class CallForm(PortalForm):
    """A call's settings; its eligibility is entered as two fields and stored as one JSON object."""

    name = text_field(NAME_MAX_CHARS)
    slug = forms.SlugField(
        max_length=80, help_text="Short name for addresses, such as pre-set-consortia-2026."
    )
    federal_register_citation = text_field(100, required=False, help_text="Such as FR 2026-06952.")
    opens_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="First day it accepts proposals."
    )
    closes_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
        help_text="Last day it accepts proposals; for a rolling call, the first round's due date "
        "(may be empty).",
    )
    rolling = forms.BooleanField(
        required=False, label="Considered on a rolling basis (still accepts proposals after the close date)"
    )
    required_layers = forms.MultipleChoiceField(
        choices=Layer.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"}),
        label="Layers the package must cover",
    )
    required_document_categories = forms.MultipleChoiceField(
        choices=[c for c in DocumentCategory.choices if c[0] != DocumentCategory.OTHER],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"}),
        required=False,
        label="Documents every proposal must attach",
    )
    excluded_countries = text_field(
        LINE_MAX_CHARS,
        required=False,
        label="Excluded countries",
        help_text="ISO codes separated by commas, such as CN, HK, MO; added to the program's countries "
        "of concern.",
    )
    min_hardware_us_content = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
        label="Minimum US content of the hardware (%)",
        help_text="Empty: the program setting applies. A call can only raise it.",
    )
    public_summary = text_field(
        NOTE_MAX_CHARS, multiline=True, widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    @classmethod
    def initial_for(cls, call: Call) -> dict[str, Any]:
        eligibility = call.eligibility or {}
        share = eligibility.get("min_hardware_us_content")
        return {
            **{name: getattr(call, name) for name in cls.base_fields if hasattr(call, name)},
            "excluded_countries": ", ".join(eligibility.get("excluded_countries") or []),
            "min_hardware_us_content": None
            if share in (None, "")
            else _percent_text(Decimal(str(share)) * 100),
        }

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.fields if name != VERSION_FIELD}
        excluded = [c.strip().upper() for c in data.pop("excluded_countries").split(",") if c.strip()]
        percent = data.pop("min_hardware_us_content")
        eligibility: dict[str, Any] = {}
        if excluded:
            eligibility["excluded_countries"] = excluded
        if percent is not None:
            eligibility["min_hardware_us_content"] = f"{(percent / 100).normalize():f}"
        data["eligibility"] = eligibility
        return data


class RubricNotesForm(PortalForm):
    notes = text_field(
        NOTE_MAX_CHARS, multiline=True, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CriterionForm(PortalModelForm):
    class Meta:
        model = Criterion
        fields = ["code", "title", "description", "weight", "scale_min", "scale_max", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"weight": "Share of the total score, 0-100; the weights of a rubric sum to 100."}

    def validate_unique(self) -> None:
        """The service checks uniqueness (per rubric) with the criterion's rubric set."""
