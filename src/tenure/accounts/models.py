"""Accounts (customer companies), contacts (people), their positions, and account teams."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from tenure.accounts.choices import (
    AccountStatus,
    BuyingRole,
    Channel,
    Seniority,
    TeamRole,
    Tier,
)
from tenure.accounts.countries import validate_country
from tenure.accounts.validators import MAX_EMPLOYEES, validate_birthday, within
from tenure.core.models import TimeStampedModel

#: Above this a potential annual spend is a typing error, not a customer (100 billion).
MAX_POTENTIAL_SPEND = Decimal("100000000000")


class Account(TimeStampedModel):
    """A customer company. Key accounts are the few on the key-account list."""

    name = models.CharField(max_length=200)
    external_id = models.CharField(
        "external id",
        max_length=100,
        blank=True,
        null=True,
        help_text="The ERP's customer number; joins the account to its order lines.",
    )
    industry = models.CharField(max_length=100, blank=True)
    country = models.CharField(
        max_length=2,
        blank=True,
        help_text="ISO 3166 alpha-2 code.",
        validators=[validate_country],
    )
    region = models.CharField(max_length=100, blank=True)
    employees = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=within(
            0, MAX_EMPLOYEES, f"the number of employees must lie between 0 and {MAX_EMPLOYEES:,}"
        ),
    )
    founded_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=within(1600, 2200, "the founding year must lie between 1600 and 2200"),
    )
    website = models.URLField(blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subsidiaries",
        help_text="The group this account belongs to.",
    )
    status = models.CharField(
        max_length=10, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    tier = models.CharField(
        max_length=1, choices=Tier.choices, blank=True, help_text="Written by the scoring run."
    )
    is_key_account = models.BooleanField("key account", default=False)
    key_account_since = models.DateField(null=True, blank=True)
    potential_annual_spend = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="What the account could spend with us in a year (for share of wallet).",
        # Field validators run on every write path: pages, the API and imports.
        validators=[
            MinValueValidator(Decimal("0.01"), "potential spend must be positive"),
            MaxValueValidator(
                MAX_POTENTIAL_SPEND, "potential spend above 100 billion a year is not plausible"
            ),
        ],
    )
    potential_spend_source = models.CharField(
        max_length=200, blank=True, help_text="Where the potential spend figure comes from."
    )
    potential_spend_as_of = models.DateField(null=True, blank=True)
    preferred_channels = models.JSONField(default=list, blank=True)
    characteristics = models.TextField("unique characteristics", blank=True)
    is_seasonal = models.BooleanField("seasonal business", default=False)
    seasonal_notes = models.TextField(
        blank=True, help_text="When the peaks and quiet months fall, and what drives them."
    )
    has_international_presence = models.BooleanField("international presence", default=False)
    is_entering_new_markets = models.BooleanField("entering new markets", default=False)
    customer_objectives = models.TextField(
        "the customer's objectives", blank=True, help_text="What they want to achieve."
    )
    culture = models.TextField(blank=True, help_text="How they decide and work with suppliers.")
    pain_points = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=Q(external_id__isnull=False),
                name="account_external_id_unique",
                violation_error_message="another account already has this external id",
            ),
            models.CheckConstraint(
                condition=~Q(external_id=""),
                name="account_external_id_not_empty",
                violation_error_message="the external id cannot be empty",
            ),
            models.CheckConstraint(
                condition=Q(key_account_since__isnull=True) | Q(is_key_account=True),
                name="account_key_since_only_for_key_accounts",
                violation_error_message="only a key account has a key-account-since date",
            ),
            models.CheckConstraint(
                condition=Q(founded_year__isnull=True)
                | Q(founded_year__gte=1600, founded_year__lte=2200),
                name="account_founded_year_plausible",
                violation_error_message="the founding year must lie between 1600 and 2200",
            ),
            models.CheckConstraint(
                condition=Q(potential_annual_spend__isnull=True) | Q(potential_annual_spend__gte=0),
                name="account_potential_spend_not_negative",
                violation_error_message="potential spend cannot be negative",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")),
                name="account_not_own_parent",
                violation_error_message="an account cannot be its own parent",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AccountStatus.values),
                name="account_status_valid",
                violation_error_message="unknown account status",
            ),
            models.CheckConstraint(
                condition=Q(tier__in=[*Tier.values, ""]),
                name="account_tier_valid",
                violation_error_message="the tier must be A, B or C",
            ),
        ]
        indexes = [
            models.Index(fields=["is_key_account", "tier"], name="account_key_tier_idx"),
            models.Index(Lower("name"), name="account_name_lower_idx"),
            # The accounts list's default order: its first page read from the index, not
            # by sorting every account (34 ms at 50,000).
            models.Index(fields=["name", "id"], name="account_name_id_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:detail", args=[self.pk])

    @property
    def preferred_channel_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [str(labels.get(value, value)) for value in self.preferred_channels]


class Contact(TimeStampedModel):
    """A person. Their positions link them to one or more accounts over time."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True, null=True)
    phone = models.CharField(max_length=40, blank=True)
    preferred_channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    birthday = models.DateField(null=True, blank=True, validators=[validate_birthday])
    accounts = models.ManyToManyField(Account, through="Position", related_name="contacts")

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            # One person per email address, whatever its capitalisation.
            models.UniqueConstraint(
                Lower("email"),
                condition=Q(email__isnull=False),
                name="contact_email_unique_ci",
                violation_error_message="another contact already has this email address",
            ),
            models.CheckConstraint(
                condition=~Q(email=""),
                name="contact_email_not_empty",
                violation_error_message="the email address cannot be empty",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Position(TimeStampedModel):
    """A contact's place at one account: title, department, buying-centre role, strength.

    A person who leaves keeps the position with ``left_on`` set, so their history stays
    with the account and follows them to the next one.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="positions")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="positions")
    title = models.CharField(max_length=150, blank=True)
    department = models.CharField(max_length=100, blank=True)
    buying_role = models.CharField(
        "buying-centre role", max_length=20, choices=BuyingRole.choices, blank=True
    )
    seniority = models.CharField(max_length=10, choices=Seniority.choices, blank=True)
    strength = models.PositiveSmallIntegerField(
        "relationship strength",
        default=3,
        help_text="1 (cold) to 5 (trusted).",
        validators=within(1, 5, "relationship strength must be between 1 and 5"),
    )
    started_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["account_id", "left_on", "contact__last_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(strength__gte=1, strength__lte=5),
                name="position_strength_1_to_5",
                violation_error_message="relationship strength must be between 1 and 5",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(left_on__gte=models.F("started_on")),
                name="position_left_after_started",
                violation_error_message="a person cannot leave before they started",
            ),
            models.UniqueConstraint(
                fields=["contact", "account"],
                condition=Q(left_on__isnull=True),
                name="position_one_active_per_contact_account",
                violation_error_message="this person already holds a position here",
            ),
        ]
        indexes = [models.Index(fields=["account", "left_on"], name="position_account_left_idx")]

    def __str__(self) -> str:
        return f"{self.contact} at {self.account}"

    @property
    def is_active(self) -> bool:
        return self.left_on is None


class TeamMembership(TimeStampedModel):
    """A user's role on an account's team. An account has at most one key account manager."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_roles"
    )
    role = models.CharField(max_length=10, choices=TeamRole.choices)

    class Meta:
        ordering = ["account_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "user", "role"],
                name="team_member_role_unique",
                violation_error_message="this user already has this role on the account",
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(role=TeamRole.KEY_ACCOUNT_MANAGER),
                name="team_one_key_account_manager",
                violation_error_message="an account has at most one key account manager",
            ),
            models.CheckConstraint(
                condition=Q(role__in=TeamRole.values),
                name="team_role_valid",
                violation_error_message="unknown team role",
            ),
        ]
        indexes = [
            # Each manager's book counted, and the managers listed, from the index alone (the
            # director's home, the filters' manager pickers): through the user's index every
            # membership row was read for its role.
            models.Index(fields=["user", "role", "account"], name="team_user_role_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} for {self.account}"


class AccountAlias(TimeStampedModel):
    """An external id that now means another account: a duplicate merged into it.

    The ledger's order lines keep the ERP's old customer number; the scoring run maps
    it to the kept account through this table (``tenure.accounts.merge.external_id_map``).
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="aliases")
    external_id = models.CharField("external id", max_length=100)

    class Meta:
        ordering = ["external_id", "id"]
        verbose_name_plural = "account aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                name="account_alias_external_id_unique",
                violation_error_message="this external id is already an alias of an account",
            ),
            models.CheckConstraint(
                condition=~Q(external_id=""),
                name="account_alias_external_id_not_empty",
                violation_error_message="an alias needs an external id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} → {self.account}"


class MergeKind(models.TextChoices):
    ACCOUNT = "account", "Account"
    CONTACT = "contact", "Contact"


class MergeRecord(TimeStampedModel):
    """The trace of a merge: what was kept, what was folded in, by whom and why.

    Plain ids rather than foreign keys, so the record outlives the objects it names;
    ``snapshots`` holds every duplicate's fields as they were just before the merge.
    """

    kind = models.CharField(max_length=7, choices=MergeKind.choices)
    kept_id = models.PositiveBigIntegerField("kept id")
    kept_name = models.CharField(max_length=200)
    merged_ids = models.JSONField("merged ids", default=list)
    snapshots = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    details = models.JSONField(
        default=dict,
        encoder=DjangoJSONEncoder,
        help_text="What moved, what was combined, and what could not be carried over.",
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MergeKind.values),
                name="merge_record_kind_valid",
                violation_error_message="a merge is of accounts or of contacts",
            ),
        ]
        indexes = [models.Index(fields=["kind", "kept_id"], name="merge_record_kept_idx")]

    def __str__(self) -> str:
        count = len(self.merged_ids)
        return f"{count} {self.get_kind_display().lower()}(s) merged into {self.kept_name}"


class ErasureRecord(TimeStampedModel):
    """The trace of a contact erased on request: who, when, why, and how much changed.

    A plain id rather than a foreign key, so the record names the (now anonymous) contact
    without holding on to it; ``counts`` says how many rows of each kind were changed.
    It never holds an erased value.
    """

    contact_id = models.PositiveBigIntegerField("contact id", db_index=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField()
    counts = models.JSONField(default=dict, help_text="Rows changed, by kind.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="erasure_record_has_reason",
                violation_error_message="an erasure needs a reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Contact {self.contact_id} erased on {self.created_at:%Y-%m-%d}"
