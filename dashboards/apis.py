"""The dashboard's numbers as REST endpoints (`/api/v1/stats/…`): the headline, a breakdown and
the trend, from the same `Dashboard` (dashboards.selectors) the page draws, for the same reader
(`access.actor_of_api`) and filters (`from`, `to`, `survey`, `kind`, `department`)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from nps_platform.api.base import TenantAPIView
from organizations import access

from .selectors import DIMENSIONS, Dashboard, dashboard_for

STATS_PARAMS = [OpenApiParameter("from", str), OpenApiParameter("to", str), OpenApiParameter("survey", int),
                OpenApiParameter("kind", str), OpenApiParameter("department", int)]


@extend_schema_serializer(component_name="PreviousPeriod")
class ScoreSerializer(serializers.Serializer):
    nps = serializers.IntegerField(allow_null=True)
    n = serializers.IntegerField()
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()
    margin = serializers.FloatField(allow_null=True)
    low_sample = serializers.BooleanField()


def _score(score) -> dict:
    return {"nps": score.nps, "n": score.n, "promoters": score.promoters, "passives": score.passives,
            "detractors": score.detractors, "margin": score.margin, "low_sample": score.low_sample}


def _board(request) -> Dashboard:
    return dashboard_for(actor=access.actor_of_api(request), params=request.query_params)


class StatsSummaryApi(TenantAPIView):
    @extend_schema_serializer(component_name="Summary")
    class OutputSerializer(ScoreSerializer):
        previous = ScoreSerializer()
        change = serializers.IntegerField(allow_null=True)
        significant = serializers.BooleanField(allow_null=True)

    @extend_schema(parameters=STATS_PARAMS, responses=OutputSerializer)
    def get(self, request):
        """The dashboard's headline: the same numbers, from the same code."""
        headline = _board(request).headline()
        return Response(self.OutputSerializer({
            **_score(headline["score"]), "previous": _score(headline["previous"]),
            "change": headline["change"], "significant": headline["significant"]}).data)


class StatsBreakdownApi(TenantAPIView):
    @extend_schema_serializer(component_name="BreakdownRow")
    class OutputSerializer(ScoreSerializer):
        value = serializers.CharField()
        label = serializers.CharField()

    @extend_schema(parameters=[*STATS_PARAMS, OpenApiParameter("dimension", str, enum=list(DIMENSIONS))],
                   responses=OutputSerializer(many=True))
    def get(self, request):
        dimension = request.query_params.get("dimension", "department")
        if dimension not in DIMENSIONS:
            raise serializers.ValidationError({"dimension": f"One of: {', '.join(DIMENSIONS)}."})
        rows = _board(request).breakdown(dimension)
        return Response(self.OutputSerializer([{"value": r["value"], "label": r["label"], **_score(r["score"])}
                                               for r in rows], many=True).data)


class StatsTrendApi(TenantAPIView):
    @extend_schema_serializer(component_name="TrendPoint")
    class OutputSerializer(ScoreSerializer):
        period = serializers.DateField()

    @extend_schema(parameters=[*STATS_PARAMS, OpenApiParameter("every", str, enum=["week", "month"])],
                   responses=OutputSerializer(many=True))
    def get(self, request):
        return Response(self.OutputSerializer([{"period": row["bucket"], **_score(row["score"])}
                                               for row in _board(request).trend()], many=True).data)
