"""The filter backend of the API: django-filter's, building only the filters a request names
(none at all for a request that names no filter): copying every filter of a FilterSet and
building its form costs more than the whole default page's SQL. The browsable API's filter
form (to_html) still shows every filter."""
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation

from proposals.filtersets import TrackerFilterSet


class TrackerFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not any(name in filterset_class.base_filters for name in request.query_params):
            return queryset
        kwargs = self.get_filterset_kwargs(request, queryset, view)
        if issubclass(filterset_class, TrackerFilterSet):
            kwargs["requested_only"] = True
        filterset = filterset_class(**kwargs)
        if not filterset.is_valid() and self.raise_exception:
            raise translate_validation(filterset.errors)
        return filterset.qs
