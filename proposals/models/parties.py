"""The parties to a proposal: proposers and handling agencies."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProposerManager(models.Manager):
    def get_by_natural_key(self, committee_name, name):
        return self.get(committee__name=committee_name, name=name)


class Proposer(models.Model):
    """提案人: an individual member (委员) or a collective."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("委员")
        PARTY = "party", _("党派")
        SECTOR = "sector", _("界别")
        MEMBER_GROUP = "member_group", _("委员小组")
        SPECIAL_COMMITTEE = "special_committee", _("专门委员会")
        ORGANISATION = "organisation", _("人民团体")

    committee = models.ForeignKey(
        "proposals.Committee", on_delete=models.PROTECT, related_name="proposers", verbose_name=_("政协")
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.MEMBER, db_index=True)
    sector = models.CharField(_("界别"), max_length=100, blank=True)
    # Contact details are internal: never published (../shared/domain.md, Disclosure).
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="proposer", verbose_name=_("登录账号"),
    )

    objects = ProposerManager()

    class Meta:
        verbose_name = _("提案人")
        verbose_name_plural = pgettext_lazy("plural", "提案人")
        ordering = ["committee__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="proposer_unique_name_per_committee"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_collective(self):
        return self.kind != self.Kind.MEMBER

    def natural_key(self):
        return (self.committee.name, self.name)

    natural_key.dependencies = ["proposals.committee"]


class AgencyManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)

    def find(self, name, region=""):
        """The agency known by this full name or alias, or None: one agency, one row.

        A short name such as 市教委 exists in many cities, so an alias is looked up
        within the region when one is given.
        """
        name = name.strip()
        exact = self.filter(name=name).first()
        if exact or not name:
            return exact
        by_alias = self.filter(aliases__name=name)
        if region:
            by_alias = by_alias.filter(region=region)
        return by_alias.first() if by_alias.count() == 1 else None


class Agency(models.Model):
    """承办单位: a body that must answer proposals assigned to it."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("中央")
        PROVINCIAL = "provincial", _("省级")
        CITY = "city", _("市级")
        COUNTY = "county", _("县级")

    name = models.CharField(_("全称"), max_length=120, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级单位")
    )
    region = models.CharField(_("地区"), max_length=100, blank=True)
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices, blank=True)
    liaisons = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="liaison_agencies", verbose_name=_("联络员")
    )

    objects = AgencyManager()

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = pgettext_lazy("plural", "承办单位")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class AgencyAliasManager(models.Manager):
    def get_by_natural_key(self, agency_name, name):
        return self.get(agency__name=agency_name, name=name)


class AgencyAlias(models.Model):
    """A short or former name of an agency (市教委 for 重庆市教育委员会).

    Short names repeat across places (every city has a 市教委), so an alias is unique per
    agency and resolved within a region.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("承办单位"))
    name = models.CharField(_("简称/别名"), max_length=120, db_index=True)

    objects = AgencyAliasManager()

    class Meta:
        verbose_name = _("单位简称")
        verbose_name_plural = pgettext_lazy("plural", "单位简称")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="agency_alias_unique_per_agency"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.agency.name, self.name)

    natural_key.dependencies = ["proposals.agency"]
