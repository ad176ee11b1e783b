"""The filter backend of the API: django-filter's, with a fast path for a request that names
no filter (building a FilterSet and its form costs more than the whole default page's SQL)."""
from django_filters.rest_framework import DjangoFilterBackend


class TrackerFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
                name in filterset_class.base_filters for name in request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)
