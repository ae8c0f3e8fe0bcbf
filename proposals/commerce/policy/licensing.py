"""Which items need an export license for which destination, under a versioned rule set (pure).

Rules come from data (data/licensing_policy.json, loaded as a LicensingPolicyVersion); this module
only applies them. The first rule, in order, that fires decides; no rule firing means no license.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from proposals.commerce.policy.eccn import eccn_matches, normalize_eccn
from proposals.core.enums import LicenseRequirement

NO_RULE = "no-rule"


@dataclass(frozen=True)
class Rule:
    code: str
    description: str
    eccn_patterns: tuple[str, ...]
    requirement: str = LicenseRequirement.LICENSE_REQUIRED
    destination_groups: frozenset[str] = frozenset()
    except_groups: frozenset[str] = frozenset()
    destination_countries: frozenset[str] = frozenset()
    party_groups: frozenset[str] = frozenset()
    party_countries: frozenset[str] = frozenset()

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> "Rule":
        def codes(key: str) -> frozenset[str]:
            return frozenset(str(v).strip().upper() for v in data.get(key) or ())  # type: ignore[union-attr]

        return cls(
            code=str(data["code"]),
            description=str(data.get("description", "")),
            eccn_patterns=tuple(normalize_eccn(str(p)) for p in data["eccn_patterns"]),  # type: ignore[union-attr]
            requirement=str(data.get("requirement", LicenseRequirement.LICENSE_REQUIRED)),
            destination_groups=codes("destination_groups"),
            except_groups=codes("except_groups"),
            destination_countries=codes("destination_countries"),
            party_groups=codes("party_groups"),
            party_countries=codes("party_countries"),
        )

    def covers(self, eccn: str) -> bool:
        """A pattern covers the ECCN itself and its sub-paragraphs (3A090 covers 3A090.a), in any case."""
        return any(eccn_matches(eccn, p) for p in self.eccn_patterns)

    def fires_for_destination(self, destination: str, groups: frozenset[str]) -> bool:
        if destination in self.destination_countries:
            return True
        return bool(groups & self.destination_groups) and not (groups & self.except_groups)

    def fires_for_parties(self, parties: Iterable[tuple[str, frozenset[str]]]) -> str | None:
        """The first party country (HQ or ultimate parent) that puts the rule in force anywhere."""
        for country, groups in parties:
            if country in self.party_countries or groups & self.party_groups:
                return country
        return None


@dataclass(frozen=True)
class LicenseDetermination:
    required: bool
    rule_code: str
    rule_description: str
    # Why the rule fired: the destination, or the party country that puts it in force anywhere.
    because: str = ""
    notes: tuple[str, ...] = field(default=())


def determine_license(
    *,
    eccn: str,
    destination: str,
    party_countries: Iterable[str],
    rules: Sequence[Rule],
    country_groups: Mapping[str, frozenset[str]],
) -> LicenseDetermination:
    """Item ECCN x destination country x the countries the parties are headquartered or owned in."""
    code = normalize_eccn(eccn)
    destination = destination.upper()
    dest_groups = country_groups.get(destination, frozenset())
    parties = [(c.upper(), country_groups.get(c.upper(), frozenset())) for c in party_countries if c]
    for rule in rules:
        if not rule.covers(code):
            continue
        if rule.requirement == LicenseRequirement.NO_LICENSE:
            return LicenseDetermination(False, rule.code, rule.description, because=code)
        if rule.fires_for_destination(destination, dest_groups):
            return LicenseDetermination(
                True, rule.code, rule.description, because=f"destination {destination}"
            )
        if (party := rule.fires_for_parties(parties)) is not None:
            return LicenseDetermination(True, rule.code, rule.description, because=f"party in {party}")
    return LicenseDetermination(False, NO_RULE, "No rule requires a license.", because=code)
