"""Account routes: sign in and out, the two-factor step, and your API tokens."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(extra_context={"failure_limit": settings.AXES_FAILURE_LIMIT}),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/verify/", views.otp_verify, name="otp-verify"),
    path("2fa/setup/", views.otp_setup, name="otp-setup"),
    path("tokens/", views.api_tokens, name="account-tokens"),
]
