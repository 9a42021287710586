"""API: who am I, and which roles do I hold where."""

from __future__ import annotations

from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated

from shared.accounts.models import Membership, User


class MembershipSerializer(serializers.ModelSerializer):
    # A loket's role names its loket (region null); a region coordinator's its region.
    loket = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    region = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = ("role", "loket", "region")


class CurrentUserSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ("email", "full_name", "preferred_language", "memberships")
        read_only_fields = ("email", "memberships")


class CurrentUserView(generics.RetrieveUpdateAPIView):
    """The logged-in account; its name and preferred language can be changed."""

    serializer_class = CurrentUserSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> User:
        return User.objects.prefetch_related("memberships__loket", "memberships__region").get(
            pk=self.request.user.pk
        )
