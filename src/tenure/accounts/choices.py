"""Choices for accounts, stakeholders and account teams (see ARCHITECTURE.md's vocabulary)."""

from django.db import models


class AccountStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    ACTIVE = "active", "Active"
    CHURNED = "churned", "Churned"


class Tier(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"
    EMAIL = "email", "Email"
    MESSAGING = "messaging", "Messaging"
    EVENT = "event", "Events"


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", "Decision maker"
    ECONOMIC_BUYER = "economic_buyer", "Economic buyer"
    INFLUENCER = "influencer", "Influencer"
    CHAMPION = "champion", "Champion"
    USER = "user", "User"
    GATEKEEPER = "gatekeeper", "Gatekeeper"


class Seniority(models.TextChoices):
    EXECUTIVE = "executive", "Executive"
    DIRECTOR = "director", "Director"
    MANAGER = "manager", "Manager"
    STAFF = "staff", "Staff"


class TeamRole(models.TextChoices):
    KEY_ACCOUNT_MANAGER = "kam", "Key account manager"
    SALES = "sales", "Sales"
    MARKETING = "marketing", "Marketing"
    SUPPORT = "support", "Customer support"
    PRODUCT = "product", "Product"
    FINANCE = "finance", "Finance"
    EXECUTIVE_SPONSOR = "sponsor", "Executive sponsor"
